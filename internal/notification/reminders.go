package notification

import (
	"context"
	"errors"
	"fmt"

	"github.com/slotwise/slotwise/internal/event"
)

// scheduleReminders replaces a confirmed booking's scheduled reminders
// with those of its current start (the business's offsets, or the
// defaults). Reminders already due are not planned.
func (s *Service) scheduleReminders(ctx context.Context, b Booking) error {
	offsets := DefaultReminderOffsets
	biz, err := s.store.Business(ctx, b.BusinessID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if len(biz.ReminderOffsets) > 0 {
		offsets = biz.ReminderOffsets
	}
	rs := PlanReminders(b.ID, b.Start, s.now(), offsets, func() string { return newID("rem_") })
	return s.store.ReplaceReminders(ctx, b.ID, rs)
}

// errNoneDue ends a pass of FireDueReminders.
var errNoneDue = errors.New("no reminder due")

// FireDueReminders sends every reminder due now (by the service's clock)
// and returns how many it handled. Each is claimed with FOR UPDATE SKIP
// LOCKED in the transaction that sends it and records its delivery, so
// several instances fire each reminder once.
func (s *Service) FireDueReminders(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		err := s.fireOne(ctx)
		var failed retryError
		switch {
		case errors.Is(err, errNoneDue):
			return n, nil
		case errors.As(err, &failed):
			// Rescheduled with backoff: go on with the others.
			s.opts.Logger.Warn("reminder not sent", "reminder_id", failed.id, "err", failed.err)
		case err != nil:
			return n, err
		}
		n++
	}
	return n, ctx.Err()
}

// fireOne claims one due reminder and sends it. A failed send rolls the
// claim back; the reminder is then rescheduled with backoff (or marked
// failed after its last attempt) in a transaction of its own.
func (s *Service) fireOne(ctx context.Context) error {
	var claimed Reminder
	var sendErr error
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		r, err := s.store.ClaimDueReminder(ctx, s.now())
		if errors.Is(err, ErrNotFound) {
			return errNoneDue
		}
		if err != nil {
			return err
		}
		claimed = r
		if sendErr = s.sendReminder(ctx, &r); sendErr != nil {
			return sendErr
		}
		return s.store.UpdateReminder(ctx, r)
	})
	if sendErr == nil {
		return err
	}
	return s.reminderFailed(ctx, claimed, sendErr)
}

// sendReminder delivers r (or skips it when the booking is no longer
// confirmed or has started) and sets its new status.
func (s *Service) sendReminder(ctx context.Context, r *Reminder) error {
	b, err := s.store.Booking(ctx, r.BookingID)
	if err != nil {
		return ensureFound(err, "reminder "+r.ID)
	}
	if b.Status != BookingConfirmed || !b.Start.After(s.now()) {
		r.Status = ReminderSkipped
		return nil
	}
	rcpt, ok, err := s.bookingRecipient(ctx, b)
	if err != nil {
		return err
	}
	r.Status = ReminderSent
	if !ok {
		return nil
	}
	v, a, err := s.bookingView(ctx, b, rcpt)
	if err != nil {
		return err
	}
	v.ReminderIn = Span(r.Offset)
	o := outgoing{
		key:         DeliveryKey{SourceID: r.ID, Channel: s.sender.Channel(), Recipient: rcpt.Email},
		recipientID: rcpt.ID, kind: KindReminder, attempt: r.Attempts + 1,
		final:       r.Attempts+1 >= s.opts.ReminderRetry.Attempts,
		correlation: event.NewCorrelationID(),
	}
	if err := s.render(&o.msg, rcpt, KindReminder, v, nil, a.clientEnvelope()); err != nil {
		return err
	}
	return s.deliver(ctx, o)
}

func (s *Service) reminderFailed(ctx context.Context, r Reminder, cause error) error {
	r.Attempts++
	r.LastError = cause.Error()
	if r.Attempts >= s.opts.ReminderRetry.Attempts {
		r.Status = ReminderFailed
	} else {
		r.DueAt = s.now().Add(s.opts.ReminderRetry.Delay(r.Attempts))
	}
	if err := s.store.Atomically(ctx, func(ctx context.Context) error { return s.store.UpdateReminder(ctx, r) }); err != nil {
		return errors.Join(cause, err)
	}
	return retryError{id: r.ID, err: cause}
}

// retryError is a reminder or queued message whose send failed and that
// was rescheduled (or marked failed).
type retryError struct {
	id  string
	err error
}

func (e retryError) Error() string { return fmt.Sprintf("%s: %v", e.id, e.err) }
func (e retryError) Unwrap() error { return e.err }

// Reminders lists a booking's reminders ("" for all).
func (s *Service) Reminders(ctx context.Context, bookingID string) ([]Reminder, error) {
	return s.store.Reminders(ctx, bookingID)
}

// Deliveries lists the delivery ledger of a recipient ("" for all).
func (s *Service) Deliveries(ctx context.Context, recipientID string) ([]Delivery, error) {
	return s.store.Deliveries(ctx, recipientID)
}
