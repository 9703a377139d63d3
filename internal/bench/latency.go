package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// latencyGrace is how long the latency phase waits, after the last commit,
// for the consumer to receive every event.
const latencyGrace = 60 * time.Second

// stamps records an instant per event id, safely from many goroutines.
type stamps struct {
	mu sync.Mutex
	at map[string]time.Time
}

func newStamps(n int) *stamps { return &stamps{at: make(map[string]time.Time, n)} }

func (s *stamps) set(id string, t time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at[id] = t
	return len(s.at)
}

// latency offers cfg.LatencyEvents events at cfg.Rate with the relay
// running, each in its own transaction, while an ordered consumer reads the
// stream from its current end; it returns the commit→consumed latencies.
func (r *outboxRun) latency(ctx context.Context) (LatencyResult, error) {
	n := r.cfg.LatencyEvents
	res := LatencyResult{OfferedRate: r.cfg.Rate, Events: n}
	commits, received := newStamps(n), newStamps(n)
	all := make(chan struct{})
	stop, err := r.consume(ctx, received, n, all)
	if err != nil {
		return res, err
	}
	defer stop()

	r.cfg.Log.Info("latency: offering events", "events", n, "rate", r.cfg.Rate, "writers", r.cfg.Writers)
	r.store.take()
	elapsed, err := r.offer(ctx, n, commits)
	if err != nil {
		return res, err
	}
	res.AchievedRate = round3(rate(n, elapsed))
	select {
	case <-all:
	case <-time.After(latencyGrace):
		return res, fmt.Errorf("latency: consumer did not receive all %d events within %s of the last commit", n, latencyGrace)
	case <-ctx.Done():
		return res, fmt.Errorf("latency: %w", ctx.Err())
	}
	res.Relay = r.store.take()
	samples, err := latencies(commits, received)
	if err != nil {
		return res, err
	}
	res.CommitToConsumed = Summarise(samples)
	r.cfg.Log.Info("latency: done", "p50_ms", res.CommitToConsumed.P50Ms, "p99_ms", res.CommitToConsumed.P99Ms, "achieved_rate", int(res.AchievedRate))
	return res, nil
}

// consume starts an ordered consumer at the stream's end that stamps each
// event's arrival and closes all once n distinct events have arrived.
func (r *outboxRun) consume(ctx context.Context, received *stamps, n int, all chan struct{}) (stop func(), err error) {
	cons, err := r.nats.js.OrderedConsumer(ctx, eventbus.EventStream, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverNewPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("latency consumer: %w", err)
	}
	var done atomic.Bool
	cc, err := cons.Consume(func(m jetstream.Msg) {
		now := time.Now()
		id := m.Headers().Get(event.HeaderEventID)
		if received.set(id, now) >= n && done.CompareAndSwap(false, true) {
			close(all)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("latency consumer: %w", err)
	}
	return cc.Stop, nil
}

// offer commits n events, one per transaction, event i due at start + i/rate,
// from cfg.Writers goroutines; a writer that falls behind commits at once.
// Each commit instant is stamped right after COMMIT returns, before the
// outbox wakes the relay. It returns the time from start to the last commit.
func (r *outboxRun) offer(ctx context.Context, n int, commits *stamps) (time.Duration, error) {
	interval := time.Second / time.Duration(r.cfg.Rate)
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, r.cfg.Writers)
	for w := range r.cfg.Writers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := waitUntil(ctx, start.Add(time.Duration(i)*interval)); err != nil {
					errs[w] = err
					return
				}
				if err := r.commitOne(ctx, i, commits); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start), errors.Join(errs...)
}

// commitOne records one event in its own transaction.
func (r *outboxRun) commitOne(ctx context.Context, i int, commits *stamps) error {
	b := bookingCreated(r.cfg.Events+i, time.Now())
	err := r.db.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var id string
		// Registered before the outbox's own AfterCommit (the relay's
		// wake-up), so it runs first.
		tx.AfterCommit(func() { commits.set(id, time.Now()) })
		ev, err := r.outbox.Record(ctx, b.BookingID, event.TypeBookingCreated, b)
		id = ev.ID
		return err
	})
	if err != nil {
		return fmt.Errorf("latency: commit event %d: %w", i, err)
	}
	return nil
}

// waitUntil paces the offered load: it returns at t (at once if t is past).
func waitUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// latencies pairs each committed event with its arrival.
func latencies(commits, received *stamps) ([]time.Duration, error) {
	out := make([]time.Duration, 0, len(commits.at))
	for id, c := range commits.at {
		got, ok := received.at[id]
		if !ok {
			return nil, fmt.Errorf("latency: event %s committed but never received", id)
		}
		out = append(out, got.Sub(c))
	}
	if len(received.at) != len(commits.at) {
		return nil, fmt.Errorf("latency: received %d events, committed %d", len(received.at), len(commits.at))
	}
	return out, nil
}
