package eventbustest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
)

// StreamMsgCount returns how many messages stream holds now.
func StreamMsgCount(t testing.TB, js jetstream.JetStream, stream string) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatalf("stream %s: %v", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatalf("stream %s info: %v", stream, err)
	}
	return info.State.Msgs
}

// StreamMessages reads every message stream holds now, in stream order,
// through an ordered consumer (which leaves no durable state behind).
func StreamMessages(t testing.TB, js jetstream.JetStream, stream string) []jetstream.Msg {
	t.Helper()
	want := StreamMsgCount(t, js, stream)
	if want == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cons, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		t.Fatalf("ordered consumer on %s: %v", stream, err)
	}
	out := make([]jetstream.Msg, 0, want)
	for uint64(len(out)) < want {
		if ctx.Err() != nil {
			t.Fatalf("read %s: got %d of %d messages: %v", stream, len(out), want, ctx.Err())
		}
		batch, err := cons.Fetch(int(min(want-uint64(len(out)), 500)), jetstream.FetchMaxWait(time.Second))
		if err != nil {
			t.Fatalf("read %s: %v", stream, err)
		}
		for m := range batch.Messages() {
			out = append(out, m)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			t.Fatalf("read %s: %v", stream, err)
		}
	}
	return out
}

// StreamEvents decodes every message of the event-log stream, in stream
// order.
func StreamEvents(t testing.TB, js jetstream.JetStream) []event.Envelope {
	t.Helper()
	msgs := StreamMessages(t, js, eventbus.EventStream)
	out := make([]event.Envelope, len(msgs))
	for i, m := range msgs {
		ev, err := eventbus.DecodeEnvelope(m.Data())
		if err != nil {
			t.Fatalf("stream message %d: %v", i, err)
		}
		out[i] = ev
	}
	return out
}
