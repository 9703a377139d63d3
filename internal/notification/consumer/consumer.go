// Package consumer holds the notification service's event handler: one
// durable consumer for every type the service needs, so projections and
// the reactions to them are applied in stream order. The handler runs in
// the transaction the runtime's idempotency middleware opened.
package consumer

import (
	"context"
	"errors"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Events returns the subscription of the notification service.
func Events(svc *notification.Service) eventbus.Subscription {
	return eventbus.Subscription{
		Name:  "events",
		Types: notification.Types,
		Handler: func(ctx context.Context, ev event.Envelope) error {
			attempt := 1
			if d, ok := eventbus.DeliveryFrom(ctx); ok && d.Attempt > 0 {
				attempt = d.Attempt
			}
			err := svc.Handle(ctx, ev, attempt)
			if errors.Is(err, notification.ErrBadEvent) {
				return eventbus.Permanent(err)
			}
			if err == nil {
				if tx := sqldb.TxFrom(ctx); tx != nil {
					tx.AfterCommit(svc.WakeDispatcher) // webhook deliveries may be queued
				}
			}
			return err
		},
	}
}
