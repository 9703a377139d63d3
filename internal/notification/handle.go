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
	return s.notify(ctx, callOf(ctx, ev), r, KindWelcome, View{RecipientName: r.Name()}, nil, envelope{})
}

// OnBookingCreated projects the booking and tells its client it was
// received, or that it awaits payment (with the payment link and the
// hold's deadline). A booking created confirmed says nothing here: its
// booking.confirmed follows with the invitation.
func (s *Service) OnBookingCreated(ctx context.Context, ev event.Envelope, d event.BookingCreated) error {
	b, err := s.projectBookingCreated(ctx, d)
	if err != nil {
		return err
	}
	kind := KindBookingReceived
	switch {
	case d.Status == BookingConfirmed:
		return nil
	case d.RequiresPayment:
		kind = KindBookingAwaitPayment
	}
	return s.notifyBooking(ctx, callOf(ctx, ev), b, kind, nil, "")
}

// OnBookingConfirmed schedules the booking's reminders, sends its
// invitation and queues the owner's "new booking" message: the owner
// hears of a booking once it is confirmed — a free one at once, a paid
// one when paid — never of an unpaid hold, which may well expire.
func (s *Service) OnBookingConfirmed(ctx context.Context, ev event.Envelope, d event.BookingConfirmed) error {
	base := Booking{ID: d.BookingID, BusinessID: d.BusinessID, ServiceID: d.ServiceID, ClientID: d.ClientID, StaffID: d.StaffID}
	ended := false
	b, err := s.updateBooking(ctx, base, func(b *Booking) {
		if ended = b.Status == BookingCancelled || b.Status == BookingExpired; ended {
			return // a retried confirmation after the cancellation: stale
		}
		b.Status, b.Start, b.End, b.Invited = BookingConfirmed, d.StartTime.UTC(), d.EndTime.UTC(), true
	})
	if err != nil || ended {
		return err
	}
	if err := s.scheduleReminders(ctx, b); err != nil {
		return err
	}
	c := callOf(ctx, ev)
	if err := s.queueOwnerNotice(ctx, c, b, KindOwnerNewBooking, nil); err != nil {
		return err
	}
	return s.notifyBooking(ctx, c, b, KindBookingConfirmation, nil, MethodRequest)
}

// OnBookingRescheduled moves the booking and, when it is confirmed, its
// reminders, and sends the updated invitation; the owner hears of it too.
// A pending booking that moves gets the news without an invitation (it
// has none until it is paid).
func (s *Service) OnBookingRescheduled(ctx context.Context, ev event.Envelope, d event.BookingRescheduled) error {
	base := Booking{ID: d.BookingID, BusinessID: d.BusinessID, ServiceID: d.ServiceID, ClientID: d.ClientID, Status: BookingConfirmed}
	b, err := s.updateBooking(ctx, base, func(b *Booking) {
		b.Start, b.End = d.StartTime.UTC(), d.EndTime.UTC()
		b.Sequence++
		b.Invited = b.Invited || b.Status == BookingConfirmed
	})
	if err != nil {
		return err
	}
	c := callOf(ctx, ev)
	prev := func(v *View) { v.PreviousStart = LocalTime(d.PreviousStartTime, s.zoneOf(v)) }
	method := ""
	if b.Status == BookingConfirmed {
		method = MethodRequest
		if err := s.scheduleReminders(ctx, b); err != nil {
			return err
		}
		if err := s.queueOwnerNotice(ctx, c, b, KindOwnerRescheduled, prev); err != nil {
			return err
		}
	}
	return s.notifyBooking(ctx, c, b, KindBookingRescheduled, prev, method)
}

// OnBookingCancelled ends the booking (see endBooking); the owner hears
// of it when it had been confirmed.
func (s *Service) OnBookingCancelled(ctx context.Context, ev event.Envelope, d event.BookingCancelled) error {
	base := Booking{ID: d.BookingID, BusinessID: d.BusinessID, ServiceID: d.ServiceID, ClientID: d.ClientID, Start: d.StartTime.UTC(), End: d.EndTime.UTC()}
	return s.endBooking(ctx, callOf(ctx, ev), base, BookingCancelled, KindBookingCancelled, d.Reason, d.CancelledBy)
}

// OnBookingExpired ends the booking (see endBooking): an unpaid hold ran
// out, which the owner never heard of.
func (s *Service) OnBookingExpired(ctx context.Context, ev event.Envelope, d event.BookingExpired) error {
	base := Booking{ID: d.BookingID, BusinessID: d.BusinessID, ServiceID: d.ServiceID, ClientID: d.ClientID, Start: d.StartTime.UTC(), End: d.EndTime.UTC()}
	return s.endBooking(ctx, callOf(ctx, ev), base, BookingExpired, KindBookingExpired, "", "")
}

// endBooking marks a booking cancelled or expired, drops its reminders and
// tells the client; a booking that had been confirmed (Invited) also gets
// the cancellation of its invitation and the owner is told. One that never
// was — a pending booking that expired or was cancelled — gets no
// METHOD:CANCEL: there is nothing in the client's calendar to remove.
func (s *Service) endBooking(ctx context.Context, c call, base Booking, status, kind, reason, by string) error {
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
	method := ""
	if b.Invited {
		method = MethodCancel
	}
	words := CancellationWords(reason)
	if b.Invited && status == BookingCancelled {
		err := s.queueOwnerNotice(ctx, c, b, KindOwnerCancelled, func(v *View) {
			v.Reason = words
			v.CancelledBy = s.canceller(ctx, b, by, "the client", "you")
		})
		if err != nil {
			return err
		}
	}
	return s.notifyBooking(ctx, c, b, kind, func(v *View) {
		v.Reason = words
		v.CancelledBy = s.canceller(ctx, b, by, "you", v.BusinessName)
	}, method)
}

// canceller names who cancelled b (by, a user or client id) for a reader:
// client when it was the booking's client, owner when the business's
// owner, else "".
func (s *Service) canceller(ctx context.Context, b Booking, by, client, owner string) string {
	switch {
	case by == "":
		return ""
	case by == b.ClientID:
		return client
	}
	if biz, err := s.store.Business(ctx, b.BusinessID); err == nil && biz.OwnerID == by {
		return owner
	}
	return ""
}

// OnPaymentSucceeded does nothing: the booking.confirmed that follows
// carries the message. The event is consumed for its webhooks.
func (s *Service) OnPaymentSucceeded(context.Context, event.Envelope, event.PaymentSucceeded) error {
	return nil
}

// OnPaymentFailed tells the booking's client that this payment attempt
// failed, why in words, and — while the booking is still held — that they
// may try again until the hold ends, with the payment link. A booking
// confirmed meanwhile (another attempt succeeded) gets no message.
func (s *Service) OnPaymentFailed(ctx context.Context, ev event.Envelope, d event.PaymentFailed) error {
	b, err := s.paymentBooking(ctx, d.BookingID, d.BusinessID, d.ClientID)
	if err != nil || b.Status == BookingConfirmed {
		return err
	}
	held := (b.Status == BookingPending || b.Status == "") && (b.HoldUntil.IsZero() || b.HoldUntil.After(ev.Timestamp))
	return s.notifyBooking(ctx, callOf(ctx, ev), b, KindPaymentFailed, func(v *View) {
		if v.Amount == "" || v.Amount == "Free" {
			v.Amount = Money(d.Amount, d.Currency)
		}
		v.Reason, v.CanRetry = PaymentFailureWords(d.FailureReason), held
	}, "")
}

// OnPaymentRefunded tells the booking's client the payment was refunded.
func (s *Service) OnPaymentRefunded(ctx context.Context, ev event.Envelope, d event.PaymentRefunded) error {
	b, err := s.paymentBooking(ctx, d.BookingID, d.BusinessID, d.ClientID)
	if err != nil {
		return err
	}
	return s.notifyBooking(ctx, callOf(ctx, ev), b, KindPaymentRefunded, func(v *View) {
		v.Refund, v.Reason = Money(d.Amount, d.Currency), RefundWords(d.Reason)
	}, "")
}

// paymentBooking returns the booking a payment event is about (a minimal
// one when booking.created was never seen).
func (s *Service) paymentBooking(ctx context.Context, bookingID, businessID, clientID string) (Booking, error) {
	b, err := s.store.Booking(ctx, bookingID)
	if errors.Is(err, ErrNotFound) {
		return Booking{ID: bookingID, BusinessID: businessID, ClientID: clientID}, nil
	}
	return b, err
}
