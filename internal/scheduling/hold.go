package scheduling

import (
	"context"
	"log/slog"
	"time"
)

// Sweeper expires unpaid holds. Every instance runs one: ExpireDue claims
// due rows so that each expires once. It sleeps until the next hold ends
// (measured with the Service's clock), at most Interval (the fallback that
// also catches holds other instances created), and wakes at once when Wake
// is called — which the Service does when this instance creates a hold,
// given Wake as Options.HoldMade. So the Sweeper is made first:
//
//	sweeper := NewSweeper(SweeperOptions{})
//	svc := NewService(store, events, Options{HoldMade: sweeper.Wake})
//	go sweeper.Run(ctx, svc)
type Sweeper struct {
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

// NewSweeper returns a hold sweeper; Run says of which Service.
func NewSweeper(opts SweeperOptions) *Sweeper {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.Batch <= 0 {
		opts.Batch = 100
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Sweeper{interval: opts.Interval, batch: opts.Batch, log: opts.Logger, wake: make(chan struct{}, 1)}
}

// Wake makes the sweeper look for due holds now.
func (w *Sweeper) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run expires svc's due holds until ctx is cancelled.
func (w *Sweeper) Run(ctx context.Context, svc *Service) {
	for ctx.Err() == nil {
		w.sweep(ctx, svc)
		t := time.NewTimer(w.sleep(ctx, svc))
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// sweep expires due holds, batch after batch.
func (w *Sweeper) sweep(ctx context.Context, svc *Service) {
	for ctx.Err() == nil {
		n, err := svc.ExpireDue(ctx, w.batch)
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
func (w *Sweeper) sleep(ctx context.Context, svc *Service) time.Duration {
	next, ok, err := svc.store.NextHold(ctx)
	if err != nil || !ok {
		return w.interval
	}
	return min(max(next.Sub(svc.clock()), 0), w.interval)
}
