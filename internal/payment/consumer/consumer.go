// Package consumer holds the payment service's event handlers: the booking
// saga's inputs (booking.created, booking.cancelled, booking.expired) and
// the owner projection (business.created). Handlers run in the transaction
// the consumer runtime's idempotency middleware opened, so their effects,
// their events and the inbox row commit together.
package consumer

import (
	"context"
	"errors"
	"fmt"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/payment"
)

// Bookings returns the subscription that opens payments for new bookings
// and refunds paid ones that are cancelled or expire. One subscription for
// the three types keeps a booking's events in stream order.
func Bookings(svc *payment.Service) eventbus.Subscription {
	return eventbus.Subscription{
		Name:  "bookings",
		Types: []string{event.TypeBookingCreated, event.TypeBookingCancelled, event.TypeBookingExpired},
		Handler: func(ctx context.Context, ev event.Envelope) error {
			switch ev.Type {
			case event.TypeBookingCreated:
				return apply(ctx, ev, svc.ApplyBookingCreated)
			case event.TypeBookingCancelled:
				return apply(ctx, ev, func(ctx context.Context, c event.BookingCancelled) error {
					return svc.ApplyBookingClosed(ctx, payment.Closure{
						BookingID: c.BookingID, BusinessID: c.BusinessID, ClientID: c.ClientID, StartTime: c.StartTime,
						State: payment.BookingCancelled, At: ev.Timestamp, Reason: c.Reason,
					})
				})
			case event.TypeBookingExpired:
				return apply(ctx, ev, func(ctx context.Context, c event.BookingExpired) error {
					return svc.ApplyBookingClosed(ctx, payment.Closure{
						BookingID: c.BookingID, BusinessID: c.BusinessID, ClientID: c.ClientID, StartTime: c.StartTime,
						State: payment.BookingExpired, At: ev.Timestamp, Reason: "expired",
					})
				})
			}
			return eventbus.Permanent(fmt.Errorf("bookings: unexpected event type %q", ev.Type))
		},
	}
}

// Owners returns the subscription that keeps the business owner
// projection (who may see a business's payments).
func Owners(svc *payment.Service) eventbus.Subscription {
	return eventbus.Subscription{
		Name:  "owners",
		Types: []string{event.TypeBusinessCreated},
		Handler: func(ctx context.Context, ev event.Envelope) error {
			return apply(ctx, ev, func(ctx context.Context, b event.BusinessCreated) error {
				return svc.ApplyBusinessCreated(ctx, b.BusinessID, b.OwnerID)
			})
		},
	}
}

func apply[T any](ctx context.Context, ev event.Envelope, f func(context.Context, T) error) error {
	data, err := event.DataAs[T](ev)
	if err != nil {
		return eventbus.Permanent(fmt.Errorf("payment: %s %s: %w", ev.Type, ev.ID, err))
	}
	err = f(ctx, data)
	if errors.Is(err, payment.ErrBadBooking) {
		return eventbus.Permanent(fmt.Errorf("payment: %s %s: %w", ev.Type, ev.ID, err))
	}
	if err != nil {
		return fmt.Errorf("payment: %s %s: %w", ev.Type, ev.ID, err)
	}
	return nil
}
