// Package consumer holds the scheduling service's event handlers: the
// projections of the business service's events (one subscription per read
// model, each touching only its own table, so their relative order does
// not matter) and the booking-payment saga's steps. Handlers run in the
// transaction the consumer runtime's idempotency middleware opened, so
// their effects, their events and the inbox row commit together. Replay
// rebuilds the projections from the event log.
package consumer

import (
	"context"
	"errors"
	"fmt"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/scheduling"
)

// Projections returns the subscriptions that keep the read models.
func Projections(svc *scheduling.Service) []eventbus.Subscription {
	return []eventbus.Subscription{
		{
			Name:  "businesses",
			Types: []string{event.TypeBusinessCreated, event.TypeBusinessUpdated},
			Handler: route(map[string]eventbus.Handler{
				event.TypeBusinessCreated: handle(svc.ApplyBusinessCreated),
				event.TypeBusinessUpdated: handle(svc.ApplyBusinessUpdated),
			}),
		},
		{
			Name:  "services",
			Types: []string{event.TypeServiceCreated, event.TypeServiceUpdated, event.TypeServiceDeleted},
			Handler: route(map[string]eventbus.Handler{
				event.TypeServiceCreated: handle(svc.ApplyServiceCreated),
				event.TypeServiceUpdated: handle(svc.ApplyServiceUpdated),
				event.TypeServiceDeleted: handle(svc.ApplyServiceDeleted),
			}),
		},
		{
			Name:  "staff",
			Types: []string{event.TypeStaffCreated, event.TypeStaffUpdated, event.TypeStaffDeleted},
			Handler: route(map[string]eventbus.Handler{
				event.TypeStaffCreated: handle(svc.ApplyStaff),
				event.TypeStaffUpdated: handle(func(ctx context.Context, d event.StaffUpdated) error {
					return svc.ApplyStaff(ctx, event.StaffCreated(d))
				}),
				event.TypeStaffDeleted: handle(svc.ApplyStaffDeleted),
			}),
		},
		{
			Name:    "availability",
			Types:   []string{event.TypeAvailabilityUpdated},
			Handler: route(map[string]eventbus.Handler{event.TypeAvailabilityUpdated: handle(svc.ApplyAvailabilityUpdated)}),
		},
	}
}

// Payments returns the saga's subscription: payment.succeeded confirms a
// pending booking, payment.failed cancels it.
func Payments(svc *scheduling.Service) eventbus.Subscription {
	return eventbus.Subscription{
		Name:  "payments",
		Types: []string{event.TypePaymentSucceeded, event.TypePaymentFailed},
		Handler: route(map[string]eventbus.Handler{
			event.TypePaymentSucceeded: handle(svc.PaymentSucceeded),
			event.TypePaymentFailed:    handle(svc.PaymentFailed),
		}),
	}
}

// route dispatches an event to the handler of its type.
func route(handlers map[string]eventbus.Handler) eventbus.Handler {
	return func(ctx context.Context, ev event.Envelope) error {
		h, ok := handlers[ev.Type]
		if !ok {
			return eventbus.Permanent(fmt.Errorf("scheduling: unexpected event type %q", ev.Type))
		}
		return h(ctx, ev)
	}
}

// handle decodes an event's data and applies f; undecodable data and
// events the projection cannot use are permanent failures.
func handle[T any](f func(context.Context, T) error) eventbus.Handler {
	return func(ctx context.Context, ev event.Envelope) error {
		data, err := event.DataAs[T](ev)
		if err != nil {
			return eventbus.Permanent(fmt.Errorf("scheduling: %s %s: %w", ev.Type, ev.ID, err))
		}
		if err := f(ctx, data); err != nil {
			err = fmt.Errorf("scheduling: %s %s: %w", ev.Type, ev.ID, err)
			if errors.Is(err, scheduling.ErrBadEvent) {
				return eventbus.Permanent(err)
			}
			return err
		}
		return nil
	}
}
