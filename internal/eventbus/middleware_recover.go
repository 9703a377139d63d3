package eventbus

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/slotwise/slotwise/internal/event"
)

// ErrHandlerPanic is wrapped by the error Recover returns for a panic.
var ErrHandlerPanic = errors.New("event handler panicked")

// Recover turns a panic in the handler into an error — a failed attempt,
// retried like any other — and logs it with the stack. A panic never
// takes the process down.
func Recover() Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev event.Envelope) (err error) {
			defer func() {
				if p := recover(); p != nil {
					LoggerFrom(ctx).Error("event handler panicked", "panic", p, "stack", string(debug.Stack()))
					err = fmt.Errorf("%w: %v", ErrHandlerPanic, p)
				}
			}()
			return next(ctx, ev)
		}
	}
}
