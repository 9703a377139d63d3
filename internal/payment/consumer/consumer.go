// Package consumer holds the payment service's event handlers: the booking
// saga's inputs (booking.created, booking.cancelled, booking.expired) and
// the owner projection (business.created). Handlers run in the transaction
// the consumer runtime's idempotency middleware opened, so their effects,
// their events and the inbox row commit together.
package consumer

import (
	"context"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/payment"
)

// Bookings returns the subscription that opens payments for new bookings
// and, when a booking is cancelled or expires, closes its payment if
// unpaid or refunds it if paid. One subscription for the three types keeps
// a booking's events in stream order.
func Bookings(svc *payment.Service) eventbus.Subscription {
	r := eventbus.NewRouter("bookings").PermanentOn(payment.ErrBadBooking)
	eventbus.On(r, event.TypeBookingCreated, func(ctx context.Context, _ event.Envelope, d event.BookingCreated) error {
		return svc.ApplyBookingCreated(ctx, d)
	})
	eventbus.On(r, event.TypeBookingCancelled, func(ctx context.Context, ev event.Envelope, d event.BookingCancelled) error {
		return svc.ApplyBookingClosed(ctx, payment.Closure{
			BookingID: d.BookingID, BusinessID: d.BusinessID, ClientID: d.ClientID, StartTime: d.StartTime,
			State: payment.BookingCancelled, At: ev.Timestamp, Reason: d.Reason,
		})
	})
	eventbus.On(r, event.TypeBookingExpired, func(ctx context.Context, ev event.Envelope, d event.BookingExpired) error {
		return svc.ApplyBookingClosed(ctx, payment.Closure{
			BookingID: d.BookingID, BusinessID: d.BusinessID, ClientID: d.ClientID, StartTime: d.StartTime,
			State: payment.BookingExpired, At: ev.Timestamp, Reason: "expired",
		})
	})
	return r.Subscription()
}

// Owners returns the subscription that keeps the business owner
// projection (who may see a business's payments).
func Owners(svc *payment.Service) eventbus.Subscription {
	r := eventbus.NewRouter("owners")
	eventbus.On(r, event.TypeBusinessCreated, func(ctx context.Context, _ event.Envelope, d event.BusinessCreated) error {
		return svc.ApplyBusinessCreated(ctx, d.BusinessID, d.OwnerID)
	})
	return r.Subscription()
}
