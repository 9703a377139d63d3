// Package consumer holds the scheduling service's event handlers: the
// projections of the business service's events (one subscription per read
// model, each touching only its own table, so their relative order does
// not matter) and the booking-payment saga's steps. Handlers run in the
// transaction the consumer runtime's idempotency middleware opened, so
// their effects, their events and the inbox row commit together. Replay
// rebuilds the projections from the event log with the same routers.
package consumer

import (
	"context"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/scheduling"
)

// Projections returns the subscriptions that keep the read models. Events
// a projection cannot use however often they are retried
// (scheduling.ErrBadEvent) are permanent failures.
func Projections(svc *scheduling.Service) []eventbus.Subscription {
	businesses := eventbus.NewRouter("businesses").PermanentOn(scheduling.ErrBadEvent)
	on(businesses, event.TypeBusinessCreated, svc.ApplyBusinessCreated)
	on(businesses, event.TypeBusinessUpdated, svc.ApplyBusinessUpdated)

	services := eventbus.NewRouter("services").PermanentOn(scheduling.ErrBadEvent)
	on(services, event.TypeServiceCreated, svc.ApplyServiceCreated)
	on(services, event.TypeServiceUpdated, svc.ApplyServiceUpdated)
	on(services, event.TypeServiceDeleted, svc.ApplyServiceDeleted)

	staff := eventbus.NewRouter("staff").PermanentOn(scheduling.ErrBadEvent)
	on(staff, event.TypeStaffCreated, svc.ApplyStaff)
	on(staff, event.TypeStaffUpdated, func(ctx context.Context, d event.StaffUpdated) error {
		return svc.ApplyStaff(ctx, event.StaffCreated(d)) // both carry the member's full state
	})
	on(staff, event.TypeStaffDeleted, svc.ApplyStaffDeleted)

	availability := eventbus.NewRouter("availability").PermanentOn(scheduling.ErrBadEvent)
	on(availability, event.TypeAvailabilityUpdated, svc.ApplyAvailabilityUpdated)

	return []eventbus.Subscription{businesses.Subscription(), services.Subscription(), staff.Subscription(), availability.Subscription()}
}

// Payments returns the saga's subscription: payment.succeeded confirms a
// pending booking; payment.failed is taken and changes nothing (the client
// may pay again until the hold ends; the sweeper expires an unpaid hold).
func Payments(svc *scheduling.Service) eventbus.Subscription {
	r := eventbus.NewRouter("payments").PermanentOn(scheduling.ErrBadEvent)
	on(r, event.TypePaymentSucceeded, svc.PaymentSucceeded)
	on(r, event.TypePaymentFailed, svc.PaymentFailed)
	return r.Subscription()
}

// on registers f, which needs only an event's data, for eventType.
func on[T any](r *eventbus.Router, eventType string, f func(context.Context, T) error) {
	eventbus.On(r, eventType, func(ctx context.Context, _ event.Envelope, data T) error { return f(ctx, data) })
}
