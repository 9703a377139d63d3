package eventbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// RelayConfig configures a Relay; zero fields take their defaults.
type RelayConfig struct {
	// BatchSize is the most rows published per batch (at most 100, the
	// default).
	BatchSize int
	// PollInterval is the fallback wake-up when no signal or notification
	// arrives (default 1s).
	PollInterval time.Duration
	// RetryBase and RetryMax bound the exponential backoff of a failed row:
	// RetryBase·2^retries, at most RetryMax (defaults 1s and 1m).
	RetryBase, RetryMax time.Duration
	// Retention is how long published rows are kept (default 7 days).
	Retention time.Duration
	// PublishTimeout bounds the wait for a batch's acknowledgements
	// (default 5s). Keep it well under a minute: on PostgreSQL the batch's
	// transaction, publish included, is bounded by one minute.
	PublishTimeout time.Duration
	// FlushTimeout bounds the final flush when Run stops (default 10s).
	FlushTimeout time.Duration
}

const (
	maxBatch       = 100
	claimTxTimeout = time.Minute
)

func (c RelayConfig) withDefaults() RelayConfig {
	if c.BatchSize <= 0 || c.BatchSize > maxBatch {
		c.BatchSize = maxBatch
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.PollInterval, time.Second)
	def(&c.RetryBase, time.Second)
	def(&c.RetryMax, time.Minute)
	def(&c.Retention, 7*24*time.Hour)
	def(&c.PublishTimeout, 5*time.Second)
	def(&c.FlushTimeout, 10*time.Second)
	if c.RetryMax < c.RetryBase {
		c.RetryMax = c.RetryBase
	}
	return c
}

// Relay publishes an outbox's rows to JetStream in order, awaits the acks
// and marks the rows published; failures are retried with backoff. Any
// number of relays may run on one database.
type Relay struct {
	o   *Outbox
	pub Publisher
	m   *Metrics
	log *slog.Logger
	cfg RelayConfig

	mu        sync.Mutex
	nextRetry time.Time // earliest retry this relay scheduled, zero if none

	waiting atomic.Bool // Run is waiting for a wake-up (for tests)

	gaugesAt time.Time // when Run last refreshed the backlog gauges
}

// gaugeEvery is how often Run refreshes the backlog gauges: the status
// query scans the unpublished rows, too much to repeat after every batch.
const gaugeEvery = time.Second

// NewRelay returns a relay for o publishing through pub (JetStreamPublisher
// in production). m and log may be nil.
func NewRelay(o *Outbox, pub Publisher, m *Metrics, log *slog.Logger, cfg RelayConfig) *Relay {
	if m == nil {
		m = NewMetrics(nil)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Relay{o: o, pub: pub, m: m, log: log.With("service", o.Service()), cfg: cfg.withDefaults()}
}

// Run publishes until ctx is done: it drains everything due, then waits for
// a commit in this process, a notification from another process, a retry
// coming due or the poll interval. When ctx is done it makes a final
// flush bounded by FlushTimeout and returns nil.
func (r *Relay) Run(ctx context.Context) error {
	notified := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.listen(ctx, func() { poke(notified) })
	}()
	defer wg.Wait()
	poll := time.NewTicker(r.cfg.PollInterval)
	defer poll.Stop()
	retry := time.NewTimer(time.Hour)
	defer retry.Stop()
	lastCleanup := time.Time{}
	for {
		r.pass(ctx)
		if now := r.o.Now(); now.Sub(lastCleanup) >= r.cleanupEvery() {
			r.cleanup(ctx, now)
			lastCleanup = now
		}
		r.armRetry(retry)
		r.waiting.Store(true)
		select {
		case <-ctx.Done():
			return r.finalFlush(ctx)
		case <-r.o.Committed():
		case <-notified:
		case <-poll.C:
		case <-retry.C:
		}
		r.waiting.Store(false)
	}
}

// listen keeps the store's notification listener running until ctx is
// done, reconnecting with backoff. A store without notifications returns
// nil at once and listen with it.
func (r *Relay) listen(ctx context.Context, wake func()) {
	backoff := r.cfg.RetryBase
	for {
		started := time.Now()
		err := r.o.Listen(ctx, wake)
		if err == nil || ctx.Err() != nil {
			return
		}
		if time.Since(started) > r.cfg.RetryMax {
			backoff = r.cfg.RetryBase // it had been working: start over
		}
		r.log.Warn("outbox relay: listen failed, reconnecting", "error", err, "backoff", backoff)
		wake() // a notification may have been missed
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, r.cfg.RetryMax)
	}
}

// Flush publishes everything due now. It stops early at a publish failure
// (recorded in the row for a retry) and returns a store error, if any.
func (r *Relay) Flush(ctx context.Context) error {
	if err := r.drain(ctx); err != nil {
		return err
	}
	r.updateGauges(ctx)
	return nil
}

func (r *Relay) finalFlush(ctx context.Context) error {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.FlushTimeout)
	defer cancel()
	if err := r.Flush(fctx); err != nil {
		r.log.Warn("outbox relay: final flush", "error", err)
	}
	return nil
}

// pass drains and updates the gauges, logging a store error.
func (r *Relay) pass(ctx context.Context) {
	if err := r.drain(ctx); err != nil && ctx.Err() == nil {
		r.log.Error("outbox relay", "error", err)
		r.scheduleRetry(r.o.Now().Add(r.cfg.RetryBase))
	}
	if now := time.Now(); now.Sub(r.gaugesAt) >= gaugeEvery {
		r.gaugesAt = now
		r.updateGauges(ctx)
	}
}

// drain claims batches until nothing is due or a publish fails: when NATS
// is unreachable every partition would wait out PublishTimeout in turn, so
// a failure ends the pass and the retry timer starts the next one.
func (r *Relay) drain(ctx context.Context) error {
	failed, retried := false, false
	publish := func(ctx context.Context, recs []OutboxRecord) (int, error) {
		for _, rec := range recs {
			retried = retried || rec.RetryCount > 0
		}
		acked, err := r.publish(ctx, recs)
		failed = failed || err != nil
		return acked, err
	}
	for ctx.Err() == nil && !failed {
		retried = false
		n, err := r.o.Claim(ctx, r.cfg.BatchSize, r.retryDelay, publish)
		if err != nil {
			return fmt.Errorf("outbox relay %s: %w", r.o.Service(), err)
		}
		// A short batch took everything due (a retry holds back the rest
		// of its partition, which is due once the retry went out). Rows
		// committed meanwhile have poked the wake-up channel, so Run comes
		// straight back; claiming again now would mostly find nothing.
		if n == 0 || (n < r.cfg.BatchSize && !retried) {
			return nil
		}
	}
	return ctx.Err()
}

// retryDelay is the backoff after a row's retries-th failure.
func (r *Relay) retryDelay(retries int) time.Duration {
	d := r.cfg.RetryBase
	for i := 0; i < retries && d < r.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, r.cfg.RetryMax)
}

// publish is the relay's PublishFunc: the batch goes out through the
// Publisher and every ack is awaited; acked is the leading run of
// successes. A later success after a failure is re-published with the
// failed row, and JetStream's duplicate window drops it.
func (r *Relay) publish(ctx context.Context, recs []OutboxRecord) (int, error) {
	acked, err := r.publishBatch(ctx, recs)
	for _, rec := range recs[:acked] {
		r.m.Published.WithLabelValues(rec.Event.Type).Inc()
	}
	if acked < len(recs) {
		if err == nil {
			err = errors.New("not acknowledged")
		}
		r.m.PublishFailed.WithLabelValues(r.o.Service()).Inc()
		failed := recs[acked]
		r.scheduleRetry(r.o.Now().Add(r.retryDelay(failed.RetryCount)))
		r.log.Warn("outbox publish failed", "count", len(recs), "acked", acked,
			"event_id", failed.Event.ID, "retry_count", failed.RetryCount+1, "error", err)
		return acked, err
	}
	r.log.Debug("outbox published", "count", acked)
	return acked, nil
}

// publishBatch sends recs through the Publisher, bounded by
// PublishTimeout.
func (r *Relay) publishBatch(ctx context.Context, recs []OutboxRecord) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.PublishTimeout)
	defer cancel()
	return r.pub.Publish(ctx, recs)
}

// scheduleRetry remembers the earliest time a failed row comes due.
func (r *Relay) scheduleRetry(at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.nextRetry.IsZero() || at.Before(r.nextRetry) {
		r.nextRetry = at
	}
}

// armRetry sets t to fire when the earliest scheduled retry is due.
func (r *Relay) armRetry(t *time.Timer) {
	r.mu.Lock()
	at := r.nextRetry
	r.nextRetry = time.Time{}
	r.mu.Unlock()
	if at.IsZero() {
		return
	}
	t.Reset(max(at.Sub(r.o.Now()), time.Millisecond))
}

func (r *Relay) cleanupEvery() time.Duration { return min(time.Hour, r.cfg.Retention) }

// cleanup deletes rows published longer than Retention ago.
func (r *Relay) cleanup(ctx context.Context, now time.Time) {
	n, err := r.o.DeletePublished(ctx, now.Add(-r.cfg.Retention))
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("outbox retention", "error", err)
		}
		return
	}
	if n > 0 {
		r.log.Info("outbox retention: deleted published rows", "count", n)
	}
}

// updateGauges sets the backlog gauges from the store.
func (r *Relay) updateGauges(ctx context.Context) {
	st, err := r.o.Status(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("outbox relay status", "error", err)
		}
		return
	}
	r.m.OutboxPending.WithLabelValues(r.o.Service()).Set(float64(st.Pending + st.Failed))
	r.m.OutboxOldest.WithLabelValues(r.o.Service()).Set(st.OldestPendingAge.Seconds())
}

// poke sends on a 1-buffered channel without blocking.
func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
