// Package natstest starts a real embedded nats-server with JetStream for
// tests: a random loopback port, a store in t.TempDir(), shut down at
// cleanup.
package natstest

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/natsembed"
)

// Start starts a server listening on a random loopback port (so it can be
// stopped and restarted on the same store with Restart).
func Start(t testing.TB) *natsembed.Server {
	t.Helper()
	return StartDir(t, t.TempDir(), "127.0.0.1:0")
}

// StartDir starts a server on the given store dir and listen address.
func StartDir(t testing.TB, dir, listen string) *natsembed.Server {
	t.Helper()
	s, err := natsembed.Start(natsembed.Options{StoreDir: dir, Listen: listen})
	if err != nil {
		t.Fatalf("start nats: %v", err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

// Connect connects to s through TCP (when it listens) and returns the
// connection and a JetStream handle, closed at cleanup.
func Connect(t testing.TB, s *natsembed.Server) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	var nc *nats.Conn
	var err error
	if u := s.ClientURL(); u != "" {
		nc, err = nats.Connect(u, nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond))
	} else {
		nc, err = s.Connect("test")
	}
	if err != nil {
		t.Fatalf("connect nats: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	return nc, js
}

// StartWithStreams starts a server, connects, and creates the SlotWise
// streams.
func StartWithStreams(t testing.TB) (*natsembed.Server, *nats.Conn, jetstream.JetStream) {
	t.Helper()
	s := Start(t)
	nc, js := Connect(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := eventbus.EnsureStreams(ctx, js, eventbus.StreamConfig{Domains: catalog.Default().Domains()}); err != nil {
		t.Fatalf("streams: %v", err)
	}
	return s, nc, js
}
