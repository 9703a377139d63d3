package notification

import (
	"context"
	"errors"
	"fmt"

	"github.com/slotwise/slotwise/internal/event"
)

// Types are the event types the service consumes.
var Types = []string{
	event.TypeUserCreated, event.TypeUserUpdated, event.TypeUserDeleted,
	event.TypeBusinessCreated, event.TypeBusinessUpdated,
	event.TypeServiceCreated, event.TypeServiceUpdated, event.TypeServiceDeleted,
	event.TypeBookingCreated, event.TypeBookingConfirmed, event.TypeBookingRescheduled,
	event.TypeBookingCancelled, event.TypeBookingExpired,
	event.TypePaymentSucceeded, event.TypePaymentFailed, event.TypePaymentRefunded,
}

// ErrBadEvent wraps an event whose data cannot be decoded: another attempt
// cannot help.
var ErrBadEvent = errors.New("notification: undecodable event")

// Handle applies one event in the transaction ctx carries: it updates the
// projections, queues webhook deliveries, moves reminders and sends the
// message the event calls for. attempt is the delivery attempt of the
// event (1 on the first); when sending fails on the last one
// (Options.RetryAttempts) notification.failed is announced. An error rolls
// everything back; the caller retries the event.
func (s *Service) Handle(ctx context.Context, ev event.Envelope, attempt int) error {
	h, ok := handlers[ev.Type]
	if !ok {
		return fmt.Errorf("%w: unexpected type %q", ErrBadEvent, ev.Type)
	}
	if err := s.queueWebhooks(ctx, ev); err != nil {
		return err
	}
	return h(s, ctx, call{ev: ev, attempt: attempt})
}

// call is one event being handled.
type call struct {
	ev      event.Envelope
	attempt int
}

type handler func(s *Service, ctx context.Context, c call) error

var handlers = map[string]handler{
	event.TypeUserCreated: on(func(s *Service, ctx context.Context, c call, d event.UserCreated) error {
		return s.onUserCreated(ctx, c, d)
	}),
	event.TypeUserUpdated: on(func(s *Service, ctx context.Context, _ call, d event.UserUpdated) error {
		return s.projectUserUpdated(ctx, d)
	}),
	event.TypeUserDeleted: on(func(s *Service, ctx context.Context, _ call, d event.UserDeleted) error {
		return s.projectUserDeleted(ctx, d)
	}),
	event.TypeBusinessCreated: on(func(s *Service, ctx context.Context, _ call, d event.BusinessCreated) error {
		return s.projectBusiness(ctx, d)
	}),
	event.TypeBusinessUpdated: on(func(s *Service, ctx context.Context, _ call, d event.BusinessUpdated) error {
		return s.projectBusinessUpdated(ctx, d)
	}),
	event.TypeServiceCreated: on(func(s *Service, ctx context.Context, _ call, d event.ServiceCreated) error {
		return s.projectService(ctx, d.ServiceID, d.BusinessID, d.Name, d.Duration)
	}),
	event.TypeServiceUpdated: on(func(s *Service, ctx context.Context, _ call, d event.ServiceUpdated) error {
		return s.projectServiceUpdated(ctx, d)
	}),
	event.TypeServiceDeleted: on(func(s *Service, ctx context.Context, _ call, d event.ServiceDeleted) error {
		return s.projectServiceDeleted(ctx, d)
	}),
	event.TypeBookingCreated:     on((*Service).onBookingCreated),
	event.TypeBookingConfirmed:   on((*Service).onBookingConfirmed),
	event.TypeBookingRescheduled: on((*Service).onBookingRescheduled),
	event.TypeBookingCancelled:   on((*Service).onBookingCancelled),
	event.TypeBookingExpired:     on((*Service).onBookingExpired),
	event.TypePaymentSucceeded:   func(*Service, context.Context, call) error { return nil }, // webhooks only
	event.TypePaymentFailed:      on((*Service).onPaymentFailed),
	event.TypePaymentRefunded:    on((*Service).onPaymentRefunded),
}

// on adapts a typed handler: it decodes the event's data first.
func on[T any](f func(s *Service, ctx context.Context, c call, d T) error) handler {
	return func(s *Service, ctx context.Context, c call) error {
		d, err := event.DataAs[T](c.ev)
		if err != nil {
			return fmt.Errorf("%w: %s %s: %v", ErrBadEvent, c.ev.Type, c.ev.ID, err)
		}
		return f(s, ctx, c, d)
	}
}

func (s *Service) onUserCreated(ctx context.Context, c call, d event.UserCreated) error {
	r, err := s.projectUser(ctx, d)
	if err != nil {
		return err
	}
	return s.notify(ctx, c, r, KindWelcome, View{RecipientName: r.Name()}, nil)
}

func (s *Service) onBookingCreated(ctx context.Context, c call, d event.BookingCreated) error {
	b, err := s.projectBookingCreated(ctx, d)
	if err != nil {
		return err
	}
	kind := KindBookingReceived
	switch {
	case d.Status == BookingConfirmed:
		return nil // booking.confirmed follows with the invitation
	case d.RequiresPayment:
		kind = KindBookingAwaitPayment
	}
	return s.notifyBooking(ctx, c, b, kind, func(v *View) { v.Amount = Money(d.TotalAmount, d.Currency) }, "")
}

func (s *Service) onBookingConfirmed(ctx context.Context, c call, d event.BookingConfirmed) error {
	base := Booking{ID: d.BookingID, BusinessID: d.BusinessID, ServiceID: d.ServiceID, ClientID: d.ClientID, StaffID: d.StaffID}
	ended := false
	b, err := s.updateBooking(ctx, base, func(b *Booking) {
		if ended = b.Status == BookingCancelled || b.Status == BookingExpired; ended {
			return // a retried confirmation after the cancellation: stale
		}
		b.Status, b.Start, b.End = BookingConfirmed, d.StartTime.UTC(), d.EndTime.UTC()
	})
	if err != nil || ended {
		return err
	}
	if err := s.scheduleReminders(ctx, b); err != nil {
		return err
	}
	return s.notifyBooking(ctx, c, b, KindBookingConfirmation, nil, MethodRequest)
}

func (s *Service) onBookingRescheduled(ctx context.Context, c call, d event.BookingRescheduled) error {
	base := Booking{ID: d.BookingID, BusinessID: d.BusinessID, ServiceID: d.ServiceID, ClientID: d.ClientID, Status: BookingConfirmed}
	b, err := s.updateBooking(ctx, base, func(b *Booking) {
		b.Start, b.End = d.StartTime.UTC(), d.EndTime.UTC()
		b.Sequence++
	})
	if err != nil {
		return err
	}
	if b.Status == BookingConfirmed {
		if err := s.scheduleReminders(ctx, b); err != nil {
			return err
		}
	}
	prev := func(v *View) { v.PreviousStart = LocalTime(d.PreviousStartTime, s.zoneOf(v)) }
	return s.notifyBooking(ctx, c, b, KindBookingRescheduled, prev, MethodRequest)
}

func (s *Service) onBookingCancelled(ctx context.Context, c call, d event.BookingCancelled) error {
	base := Booking{ID: d.BookingID, BusinessID: d.BusinessID, ServiceID: d.ServiceID, ClientID: d.ClientID, Start: d.StartTime.UTC(), End: d.EndTime.UTC()}
	return s.endBooking(ctx, c, base, BookingCancelled, KindBookingCancelled, d.Reason)
}

func (s *Service) onBookingExpired(ctx context.Context, c call, d event.BookingExpired) error {
	base := Booking{ID: d.BookingID, BusinessID: d.BusinessID, ServiceID: d.ServiceID, ClientID: d.ClientID, Start: d.StartTime.UTC(), End: d.EndTime.UTC()}
	return s.endBooking(ctx, c, base, BookingExpired, KindBookingExpired, "")
}

// endBooking marks a booking cancelled or expired, drops its reminders and
// sends the cancellation of its invitation.
func (s *Service) endBooking(ctx context.Context, c call, base Booking, status, kind, reason string) error {
	b, err := s.updateBooking(ctx, base, func(b *Booking) {
		b.Status = status
		b.Sequence++
	})
	if err != nil {
		return err
	}
	if err := s.store.ReplaceReminders(ctx, b.ID, nil); err != nil {
		return err
	}
	return s.notifyBooking(ctx, c, b, kind, func(v *View) { v.Reason = reason }, MethodCancel)
}

func (s *Service) onPaymentFailed(ctx context.Context, c call, d event.PaymentFailed) error {
	return s.notifyPayment(ctx, c, d.BookingID, d.BusinessID, d.ClientID, KindPaymentFailed, Money(d.Amount, d.Currency), d.FailureReason)
}

func (s *Service) onPaymentRefunded(ctx context.Context, c call, d event.PaymentRefunded) error {
	return s.notifyPayment(ctx, c, d.BookingID, d.BusinessID, d.ClientID, KindPaymentRefunded, Money(d.Amount, d.Currency), d.Reason)
}

func (s *Service) notifyPayment(ctx context.Context, c call, bookingID, businessID, clientID, kind, amount, reason string) error {
	b, err := s.store.Booking(ctx, bookingID)
	if errors.Is(err, ErrNotFound) {
		b = Booking{ID: bookingID, BusinessID: businessID, ClientID: clientID}
	} else if err != nil {
		return err
	}
	return s.notifyBooking(ctx, c, b, kind, func(v *View) { v.Amount, v.Reason = amount, reason }, "")
}
