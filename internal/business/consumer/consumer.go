// Package consumer holds the business service's event handlers: the owner
// projection, fed by the auth service's user.* events. Handlers run in the
// transaction the consumer runtime's idempotency middleware opened, so
// their effects and the inbox row commit together.
package consumer

import (
	"context"
	"fmt"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
)

// Owners returns the subscription that keeps the owner projection.
func Owners(svc *business.Service) eventbus.Subscription {
	return eventbus.Subscription{
		Name:  "owners",
		Types: []string{event.TypeUserCreated, event.TypeUserUpdated, event.TypeUserDeleted},
		Handler: func(ctx context.Context, ev event.Envelope) error {
			switch ev.Type {
			case event.TypeUserCreated:
				return apply(ctx, ev, svc.ApplyUserCreated)
			case event.TypeUserUpdated:
				return apply(ctx, ev, svc.ApplyUserUpdated)
			case event.TypeUserDeleted:
				return apply(ctx, ev, svc.ApplyUserDeleted)
			}
			return eventbus.Permanent(fmt.Errorf("owners: unexpected event type %q", ev.Type))
		},
	}
}

func apply[T any](ctx context.Context, ev event.Envelope, f func(context.Context, T) error) error {
	data, err := event.DataAs[T](ev)
	if err != nil {
		return eventbus.Permanent(fmt.Errorf("owners: %s %s: %w", ev.Type, ev.ID, err))
	}
	if err := f(ctx, data); err != nil {
		return fmt.Errorf("owners: %s %s: %w", ev.Type, ev.ID, err)
	}
	return nil
}
