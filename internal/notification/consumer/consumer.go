// Package consumer holds the notification service's event handling: one
// durable consumer ("events") for every type the service needs, so
// projections and the reactions to them are applied in stream order. Its
// router decodes each event for the service's On<Type> method; the
// handlers run in the transaction the runtime's idempotency middleware
// opened.
package consumer

import (
	"context"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Events returns the subscription of the notification service: the types
// registered here are the types it consumes. Every event first queues its
// webhook deliveries, then reaches its handler. Undecodable data and
// notification.ErrBadEvent are permanent.
func Events(svc *notification.Service) eventbus.Subscription {
	r := eventbus.NewRouter("events")
	r.Use(withAttempt, webhooks(svc))
	r.PermanentOn(notification.ErrBadEvent)

	eventbus.On(r, event.TypeUserCreated, svc.OnUserCreated)
	eventbus.On(r, event.TypeUserUpdated, svc.OnUserUpdated)
	eventbus.On(r, event.TypeUserDeleted, svc.OnUserDeleted)
	eventbus.On(r, event.TypeBusinessCreated, svc.OnBusinessCreated)
	eventbus.On(r, event.TypeBusinessUpdated, svc.OnBusinessUpdated)
	eventbus.On(r, event.TypeServiceCreated, svc.OnServiceCreated)
	eventbus.On(r, event.TypeServiceUpdated, svc.OnServiceUpdated)
	eventbus.On(r, event.TypeServiceDeleted, svc.OnServiceDeleted)
	eventbus.On(r, event.TypeBookingCreated, svc.OnBookingCreated)
	eventbus.On(r, event.TypeBookingConfirmed, svc.OnBookingConfirmed)
	eventbus.On(r, event.TypeBookingRescheduled, svc.OnBookingRescheduled)
	eventbus.On(r, event.TypeBookingCancelled, svc.OnBookingCancelled)
	eventbus.On(r, event.TypeBookingExpired, svc.OnBookingExpired)
	eventbus.On(r, event.TypePaymentSucceeded, svc.OnPaymentSucceeded) // webhooks only
	eventbus.On(r, event.TypePaymentFailed, svc.OnPaymentFailed)
	eventbus.On(r, event.TypePaymentRefunded, svc.OnPaymentRefunded)
	return r.Subscription()
}

// withAttempt hands the runtime's delivery attempt to the service, which
// announces notification.failed when a send fails on the last one.
func withAttempt(next eventbus.Handler) eventbus.Handler {
	return func(ctx context.Context, ev event.Envelope) error {
		if d, ok := eventbus.DeliveryFrom(ctx); ok && d.Attempt > 0 {
			ctx = notification.WithAttempt(ctx, d.Attempt)
		}
		return next(ctx, ev)
	}
}

// webhooks queues the event's webhook deliveries in the handler's
// transaction, so they exist if and only if the event was applied, and
// wakes the dispatcher — and the queue sender, for the owner's messages a
// handler queued — once that transaction has committed.
func webhooks(svc *notification.Service) eventbus.Middleware {
	return func(next eventbus.Handler) eventbus.Handler {
		return func(ctx context.Context, ev event.Envelope) error {
			if err := svc.QueueWebhooks(ctx, ev); err != nil {
				return err
			}
			if err := next(ctx, ev); err != nil {
				return err
			}
			if tx := sqldb.TxFrom(ctx); tx != nil {
				tx.AfterCommit(svc.WakeDispatcher)
				tx.AfterCommit(svc.WakeQueue)
			}
			return nil
		}
	}
}
