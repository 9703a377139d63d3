package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// drainPoll is how often the drain phase looks at the stream's message
// count; it bounds the phase's timing error.
const drainPoll = 5 * time.Millisecond

// drain writes cfg.Events events with no relay running (the write phase),
// then starts the relay and times until the stream holds them all.
func (r *outboxRun) drain(ctx context.Context) (write, drain Phase, err error) {
	n := r.cfg.Events
	r.cfg.Log.Info("drain: writing the backlog", "events", n, "writers", r.cfg.Writers, "events_per_tx", r.cfg.AggregateEvents)
	start := time.Now()
	if err := r.writeBacklog(ctx); err != nil {
		return write, drain, err
	}
	write = phase(n, time.Since(start))
	r.cfg.Log.Info("drain: backlog written", "events_per_sec", int(write.EventsPerSec))

	r.store.take()
	start = time.Now()
	r.startRelays(ctx)
	if err := r.nats.waitMessages(ctx, uint64(n), drainPoll); err != nil {
		return write, drain, fmt.Errorf("drain: %w", err)
	}
	drain = phase(n, time.Since(start))
	breakdown := r.store.take()
	drain.Relay = &breakdown
	r.cfg.Log.Info("drain: all published", "events_per_sec", int(drain.EventsPerSec), "duration", time.Since(start).Round(time.Millisecond))
	return write, drain, nil
}

// writeBacklog has cfg.Writers goroutines write the events, one aggregate
// (cfg.AggregateEvents booking events) per transaction.
func (r *outboxRun) writeBacklog(ctx context.Context) error {
	n, per := r.cfg.Events, r.cfg.AggregateEvents
	aggregates := (n + per - 1) / per
	var next atomic.Int64
	errs := make(chan error, r.cfg.Writers)
	var wg sync.WaitGroup
	for range r.cfg.Writers {
		wg.Go(func() {
			for {
				a := int(next.Add(1)) - 1
				if a >= aggregates {
					errs <- nil
					return
				}
				if err := r.writeAggregate(ctx, a, min(per, n-a*per)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// writeAggregate records k events about aggregate a in one transaction.
func (r *outboxRun) writeAggregate(ctx context.Context, a, k int) error {
	agg := bookingCreated(a, time.Time{}).BookingID
	err := r.db.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		for range k {
			if _, err := r.outbox.Record(ctx, agg, event.TypeBookingCreated, bookingCreated(a, time.Now())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write aggregate %s: %w", agg, err)
	}
	return nil
}

func phase(n int, d time.Duration) Phase {
	return Phase{Events: n, DurationMs: ms(d), EventsPerSec: round3(rate(n, d))}
}
