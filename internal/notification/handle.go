package notification

import (
	"context"
	"errors"

	"github.com/slotwise/slotwise/internal/event"
)

// Event handlers: one method On<Type> per event type the service consumes
// (those that only update a projection are in projections.go). The
// consumer registers them on its router, which decodes each event's data,
// and queues the event's webhook deliveries (QueueWebhooks) before each.
// A handler runs in the transaction ctx carries (the consumer's inbox
// transaction): it updates the projections, moves reminders and sends the
// message the event calls for. An error rolls everything back and the
// runtime retries the event; when sending fails on its last attempt
// (Options.RetryAttempts, see WithAttempt) notification.failed is
// announced.

// ErrBadEvent marks an event the service cannot apply however often it is
// retried: the consumer makes it permanent (dead-lettered at once), like
// data its router cannot decode.
var ErrBadEvent = errors.New("notification: undecodable event")

type attemptKey struct{}

// WithAttempt returns ctx carrying the delivery attempt of the event being
// handled (1 on the first). The consumer sets it from the event runtime's
// delivery, which this package does not import; without it a handler
// counts the first attempt.
func WithAttempt(ctx context.Context, attempt int) context.Context {
	return context.WithValue(ctx, attemptKey{}, attempt)
}

// call is one event being handled.
type call struct {
	ev      event.Envelope
	attempt int
}

// callOf returns the call of ev in ctx.
func callOf(ctx context.Context, ev event.Envelope) call {
	n, _ := ctx.Value(attemptKey{}).(int)
	return call{ev: ev, attempt: max(n, 1)}
}

// OnUserCreated projects the user and sends the welcome message.
func (s *Service) OnUserCreated(ctx context.Context, ev event.Envelope, d event.UserCreated) error {
	r, err := s.projectUser(ctx, d)
	if err != nil {
		return err
	}
	return s.notify(ctx, callOf(ctx, ev), r, KindWelcome, View{RecipientName: r.Name()}, nil)
}

// OnBookingCreated projects the booking and tells its client it was
// received (or awaits payment).
func (s *Service) OnBookingCreated(ctx context.Context, ev event.Envelope, d event.BookingCreated) error {
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
	return s.notifyBooking(ctx, callOf(ctx, ev), b, kind, func(v *View) { v.Amount = Money(d.TotalAmount, d.Currency) }, "")
}

// OnBookingConfirmed schedules the booking's reminders and sends its
// invitation.
func (s *Service) OnBookingConfirmed(ctx context.Context, ev event.Envelope, d event.BookingConfirmed) error {
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
	return s.notifyBooking(ctx, callOf(ctx, ev), b, KindBookingConfirmation, nil, MethodRequest)
}

// OnBookingRescheduled moves the booking and its reminders and sends the
// updated invitation.
func (s *Service) OnBookingRescheduled(ctx context.Context, ev event.Envelope, d event.BookingRescheduled) error {
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
	return s.notifyBooking(ctx, callOf(ctx, ev), b, KindBookingRescheduled, prev, MethodRequest)
}

// OnBookingCancelled ends the booking (see endBooking).
func (s *Service) OnBookingCancelled(ctx context.Context, ev event.Envelope, d event.BookingCancelled) error {
	base := Booking{ID: d.BookingID, BusinessID: d.BusinessID, ServiceID: d.ServiceID, ClientID: d.ClientID, Start: d.StartTime.UTC(), End: d.EndTime.UTC()}
	return s.endBooking(ctx, callOf(ctx, ev), base, BookingCancelled, KindBookingCancelled, d.Reason)
}

// OnBookingExpired ends the booking (see endBooking).
func (s *Service) OnBookingExpired(ctx context.Context, ev event.Envelope, d event.BookingExpired) error {
	base := Booking{ID: d.BookingID, BusinessID: d.BusinessID, ServiceID: d.ServiceID, ClientID: d.ClientID, Start: d.StartTime.UTC(), End: d.EndTime.UTC()}
	return s.endBooking(ctx, callOf(ctx, ev), base, BookingExpired, KindBookingExpired, "")
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

// OnPaymentSucceeded does nothing: the booking.confirmed that follows
// carries the message. The event is consumed for its webhooks.
func (s *Service) OnPaymentSucceeded(context.Context, event.Envelope, event.PaymentSucceeded) error {
	return nil
}

// OnPaymentFailed tells the booking's client the payment failed.
func (s *Service) OnPaymentFailed(ctx context.Context, ev event.Envelope, d event.PaymentFailed) error {
	return s.notifyPayment(ctx, callOf(ctx, ev), d.BookingID, d.BusinessID, d.ClientID, KindPaymentFailed, Money(d.Amount, d.Currency), d.FailureReason)
}

// OnPaymentRefunded tells the booking's client the payment was refunded.
func (s *Service) OnPaymentRefunded(ctx context.Context, ev event.Envelope, d event.PaymentRefunded) error {
	return s.notifyPayment(ctx, callOf(ctx, ev), d.BookingID, d.BusinessID, d.ClientID, KindPaymentRefunded, Money(d.Amount, d.Currency), d.Reason)
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
