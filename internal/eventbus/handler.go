package eventbus

import (
	"context"
	"errors"

	"github.com/slotwise/slotwise/internal/event"
)

// Handler handles one decoded event. It returns nil when the event's effect
// is applied (or was applied before), and an error when the attempt failed;
// wrap the error with Permanent when another attempt cannot succeed.
type Handler func(ctx context.Context, ev event.Envelope) error

// Middleware wraps a Handler.
type Middleware func(Handler) Handler

// Chain applies middlewares so that the first one listed is the outermost.
func Chain(h Handler, mws ...Middleware) Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent marks err as permanent: the runtime sends the event to the dead
// letter queue at once instead of retrying it. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was marked
// Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
