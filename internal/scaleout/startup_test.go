package scaleout

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/eventbus"
)

// TestInstancesStartingTogetherEnsureTheStreams: every instance of every
// service ensures the streams at start (with its own user, within the 30 s
// the app gives it). Started together on a fresh cluster, their identical
// creates race, and the cluster leaves some unanswered although the stream
// exists (nats-server #3677); each instance must still start.
func TestInstancesStartingTogetherEnsureTheStreams(t *testing.T) {
	requireScaleOut(t)
	c := startCluster(t)
	users := append(append([]string{}, Services...), "scheduling", "notification")
	errs := make([]error, len(users))
	var wg sync.WaitGroup
	for i, user := range users {
		opts, err := c.client(user).Options()
		if err != nil {
			t.Fatal(err)
		}
		js, err := jetstream.New(c.connect(t, user, opts...))
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			errs[i] = eventbus.EnsureStreams(ctx, js, eventbus.StreamConfig{Replicas: 3, Domains: []string{"user", "booking"}})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d (%s): %v", i, users[i], err)
		}
	}
	ops, err := jetstream.New(c.connect(t, "ops", c.tlsOpts()...))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, name := range []string{eventbus.EventStream, eventbus.DLQStream} {
		s, err := ops.Stream(ctx, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r := s.CachedInfo().Config.Replicas; r != 3 {
			t.Errorf("%s: %d replicas, want 3", name, r)
		}
	}
}
