package consumer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// ReplayResult is what Replay did.
type ReplayResult struct {
	// Applied counts the events applied, by type.
	Applied map[string]int
	// Skipped counts events the projections refused as unusable (the live
	// consumers dead-letter those too).
	Skipped int
}

// Total returns the number of events applied.
func (r ReplayResult) Total() int {
	n := 0
	for _, c := range r.Applied {
		n += c
	}
	return n
}

// Replay rebuilds the read models from the event log: it reads every event
// the projection subscriptions consume, from the start of the stream, in
// stream order (an ordered consumer, which leaves no durable state), then
// in one transaction deletes the projections' rows and applies the events
// with the same routers the live consumers run.
func Replay(ctx context.Context, db *sqldb.DB, svc *scheduling.Service, js jetstream.JetStream) (ReplayResult, error) {
	subs := Projections(svc)
	handlers := map[string]eventbus.Handler{}
	var subjects []string
	for _, s := range subs {
		for _, t := range s.Types {
			handlers[t] = s.Handler
			subjects = append(subjects, event.Subject(t))
		}
	}
	events, err := readLog(ctx, js, subjects)
	if err != nil {
		return ReplayResult{}, err
	}
	res := ReplayResult{Applied: map[string]int{}}
	err = db.InTx(ctx, func(ctx context.Context, _ *sqldb.Tx) error {
		res = ReplayResult{Applied: map[string]int{}}
		if err := svc.ResetProjections(ctx); err != nil {
			return fmt.Errorf("reset projections: %w", err)
		}
		for _, ev := range events {
			err := handlers[ev.Type](ctx, ev)
			switch {
			case err == nil:
				res.Applied[ev.Type]++
			case eventbus.IsPermanent(err):
				res.Skipped++
			default:
				return fmt.Errorf("apply %s %s: %w", ev.Type, ev.ID, err)
			}
		}
		return nil
	})
	return res, err
}

// readLog reads the events on subjects from the start of the event log up
// to its end when called.
func readLog(ctx context.Context, js jetstream.JetStream, subjects []string) ([]event.Envelope, error) {
	cons, err := js.OrderedConsumer(ctx, eventbus.EventStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: subjects, DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", eventbus.EventStream, err)
	}
	want, err := countLog(ctx, js, subjects)
	if err != nil {
		return nil, err
	}
	var out []event.Envelope
	for uint64(len(out)) < want {
		batch, err := cons.Fetch(int(min(want-uint64(len(out)), 500)), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", eventbus.EventStream, err)
		}
		n := 0
		for m := range batch.Messages() {
			ev, err := eventbus.DecodeEnvelope(m.Data())
			if err != nil {
				return nil, fmt.Errorf("read %s: message on %s: %w", eventbus.EventStream, m.Subject(), err)
			}
			out = append(out, ev)
			n++
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return nil, fmt.Errorf("read %s: %w", eventbus.EventStream, err)
		}
		if n == 0 {
			return nil, fmt.Errorf("read %s: got %d of %d events: %w", eventbus.EventStream, len(out), want, ctx.Err())
		}
	}
	return out, nil
}

// countLog returns how many events on subjects the event log holds now.
func countLog(ctx context.Context, js jetstream.JetStream, subjects []string) (uint64, error) {
	stream, err := js.Stream(ctx, eventbus.EventStream)
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", eventbus.EventStream, err)
	}
	info, err := stream.Info(ctx, jetstream.WithSubjectFilter(event.SubjectPrefix+">"))
	if err != nil {
		return 0, fmt.Errorf("stream %s info: %w", eventbus.EventStream, err)
	}
	var n uint64
	for _, s := range subjects {
		n += info.State.Subjects[s]
	}
	return n, nil
}
