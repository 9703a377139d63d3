// Package consumer holds the business service's event handlers: the owner
// projection, fed by the auth service's user.* events. Handlers run in the
// transaction the consumer runtime's idempotency middleware opened, so
// their effects and the inbox row commit together.
package consumer

import (
	"context"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
)

// Owners returns the subscription that keeps the owner projection.
func Owners(svc *business.Service) eventbus.Subscription {
	r := eventbus.NewRouter("owners")
	eventbus.On(r, event.TypeUserCreated, dataOnly(svc.ApplyUserCreated))
	eventbus.On(r, event.TypeUserUpdated, dataOnly(svc.ApplyUserUpdated))
	eventbus.On(r, event.TypeUserDeleted, dataOnly(svc.ApplyUserDeleted))
	return r.Subscription()
}

// dataOnly adapts a use case that needs the event's data, not its
// envelope, to a Router handler.
func dataOnly[T any](f func(context.Context, T) error) func(context.Context, event.Envelope, T) error {
	return func(ctx context.Context, _ event.Envelope, data T) error { return f(ctx, data) }
}
