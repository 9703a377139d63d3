package app

import (
	"context"
	"fmt"
	"sync"
)

// background tracks the services' Instance.Background loops.
type background struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startBackground starts every service's Background loop on a context of
// its own (not the start context, which ends when Start returns).
func (a *App) startBackground(context.Context) error {
	ctx, cancel := context.WithCancel(context.Background())
	a.background.cancel = cancel
	for _, s := range a.services {
		if s.inst.Background == nil {
			continue
		}
		a.background.wg.Add(1)
		go func(run func(context.Context)) {
			defer a.background.wg.Done()
			run(ctx)
		}(s.inst.Background)
	}
	return nil
}

// stopBackground cancels the loops and waits for them, bounded by ctx.
func (a *App) stopBackground(ctx context.Context) error {
	if a.background.cancel == nil {
		return nil
	}
	a.background.cancel()
	done := make(chan struct{})
	go func() {
		a.background.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		a.background.cancel = nil
		return nil
	case <-ctx.Done():
		return fmt.Errorf("background loops did not stop: %w", ctx.Err())
	}
}
