package eventbus

import (
	"context"
	"errors"
	"fmt"

	"github.com/slotwise/slotwise/internal/event"
)

// Router is one durable subscription's typed dispatch: handlers are
// registered per event type with On, and the Router decodes each event's
// data into the handler's type. Every service handles events this way.
//
// Undecodable data and an event type with no handler are permanent
// failures (the runtime dead-letters them at once), and so is any handler
// error that matches one of the errors given to PermanentOn.
type Router struct {
	name      string
	types     []string
	routes    map[string]Handler
	permanent []error
	mws       []Middleware
}

// NewRouter returns an empty Router for the subscription name (the durable
// consumer is "<service>-<name>").
func NewRouter(name string) *Router {
	return &Router{name: name, routes: map[string]Handler{}}
}

// On registers f for events of eventType, decoding their data as T. A type
// registered twice panics: a programming mistake any test catches.
func On[T any](r *Router, eventType string, f func(ctx context.Context, ev event.Envelope, data T) error) {
	if _, dup := r.routes[eventType]; dup {
		panic(fmt.Sprintf("eventbus: router %s: %s registered twice", r.name, eventType))
	}
	r.types = append(r.types, eventType)
	r.routes[eventType] = func(ctx context.Context, ev event.Envelope) error {
		data, err := event.DataAs[T](ev)
		if err != nil {
			return Permanent(err)
		}
		return f(ctx, ev, data)
	}
}

// PermanentOn makes handler errors matching any of errs (errors.Is)
// permanent: retrying cannot fix them.
func (r *Router) PermanentOn(errs ...error) *Router {
	r.permanent = append(r.permanent, errs...)
	return r
}

// Use wraps every handler of the Router in mws (the first listed
// outermost); they see each event before its data is decoded, and their
// errors are classified like the handlers'.
func (r *Router) Use(mws ...Middleware) *Router {
	r.mws = append(r.mws, mws...)
	return r
}

// Types returns the event types registered, in registration order.
func (r *Router) Types() []string { return append([]string(nil), r.types...) }

// Handle dispatches ev to the handler of its type.
func (r *Router) Handle(ctx context.Context, ev event.Envelope) error {
	h, ok := r.routes[ev.Type]
	if !ok {
		return Permanent(fmt.Errorf("%s: unexpected event type %q", r.name, ev.Type))
	}
	err := Chain(h, r.mws...)(ctx, ev)
	if err == nil {
		return nil
	}
	err = fmt.Errorf("%s: %s %s: %w", r.name, ev.Type, ev.ID, err)
	for _, p := range r.permanent {
		if errors.Is(err, p) {
			return Permanent(err)
		}
	}
	return err
}

// Subscription returns the Router as the runtime's Subscription (Service
// is filled in by the runtime's owner).
func (r *Router) Subscription() Subscription {
	return Subscription{Name: r.name, Types: r.Types(), Handler: r.Handle}
}
