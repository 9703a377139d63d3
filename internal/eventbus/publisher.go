package eventbus

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Publisher is what a Relay publishes through: it sends recs in order and
// returns how many of them, from the first, were acknowledged before ctx
// ended; err says why the rest were not.
type Publisher interface {
	Publish(ctx context.Context, recs []OutboxRecord) (acked int, err error)
}

// AsyncPublisher is the one JetStream call JetStreamPublisher makes.
type AsyncPublisher interface {
	PublishMsgAsync(msg *nats.Msg, opts ...jetstream.PublishOpt) (jetstream.PubAckFuture, error)
}

// JetStreamPublisher publishes outbox rows to JetStream: the whole batch
// goes out with PublishMsgAsync (Nats-Msg-Id = event id, so JetStream drops
// a re-published duplicate), then every ack is awaited in order.
type JetStreamPublisher struct{ JS AsyncPublisher }

// Publish implements Publisher.
func (p JetStreamPublisher) Publish(ctx context.Context, recs []OutboxRecord) (int, error) {
	futures := make([]jetstream.PubAckFuture, 0, len(recs))
	var sendErr error
	for _, rec := range recs {
		msg, err := NewMsg(rec.Event, rec.Traceparent)
		if err != nil {
			sendErr = err
			break
		}
		f, err := p.JS.PublishMsgAsync(msg)
		if err != nil {
			sendErr = fmt.Errorf("publish %s: %w", rec.Event.ID, err)
			break
		}
		futures = append(futures, f)
	}
	for i, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return i, fmt.Errorf("publish %s: %w", recs[i].Event.ID, err)
		case <-ctx.Done():
			return i, fmt.Errorf("publish %s: awaiting ack: %w", recs[i].Event.ID, ctx.Err())
		}
	}
	return len(futures), sendErr
}
