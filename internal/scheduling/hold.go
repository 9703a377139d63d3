package scheduling

import (
	"context"
	"log/slog"
	"time"
)

// Sweeper expires unpaid holds. Every instance runs one: ExpireDue claims
// due rows so that each expires once. It sleeps until the next hold ends
// (measured with the Service's clock), at most Interval (the fallback that
// also catches holds other instances created), and wakes at once when this
// instance creates a hold or Wake is called.
type Sweeper struct {
	svc      *Service
	interval time.Duration
	batch    int
	log      *slog.Logger
	wake     chan struct{}
}

// SweeperOptions configure a Sweeper.
type SweeperOptions struct {
	// Interval is the longest sleep between passes (default 1 s).
	Interval time.Duration
	// Batch is the most holds expired per transaction (default 100).
	Batch int
	// Logger records failed passes (default: discard).
	Logger *slog.Logger
}

// NewSweeper returns the hold sweeper of svc; svc's new holds wake it.
func NewSweeper(svc *Service, opts SweeperOptions) *Sweeper {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.Batch <= 0 {
		opts.Batch = 100
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Sweeper{svc: svc, interval: opts.Interval, batch: opts.Batch, log: opts.Logger, wake: make(chan struct{}, 1)}
	svc.wake = w.Wake
	return w
}

// Wake makes the sweeper look for due holds now.
func (w *Sweeper) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sweeps until ctx is cancelled.
func (w *Sweeper) Run(ctx context.Context) {
	for ctx.Err() == nil {
		w.sweep(ctx)
		t := time.NewTimer(w.sleep(ctx))
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// sweep expires due holds, batch after batch.
func (w *Sweeper) sweep(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := w.svc.ExpireDue(ctx, w.batch)
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("expire holds", "error", err)
			}
			return
		}
		if n < w.batch {
			return
		}
	}
}

// sleep is the time until the next hold ends, within [0, interval].
func (w *Sweeper) sleep(ctx context.Context) time.Duration {
	next, ok, err := w.svc.store.NextHold(ctx)
	if err != nil || !ok {
		return w.interval
	}
	return min(max(next.Sub(w.svc.clock()), 0), w.interval)
}
