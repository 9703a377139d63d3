package notification

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/event"
)

// outgoing is a message about to be delivered, with what its ledger row
// and announcement need.
type outgoing struct {
	key         DeliveryKey
	recipientID string
	kind        string
	msg         Message
	attempt     int  // the attempt at the cause (event or reminder), 1-based
	final       bool // no further attempt follows a failure
	correlation string
}

// bookingRecipient returns who hears about a booking: the guest of a
// guest booking, else the registered client. ok is false for a deleted
// user (nothing is sent).
func (s *Service) bookingRecipient(ctx context.Context, b Booking) (Recipient, bool, error) {
	if b.GuestEmail != "" {
		return Recipient{ID: b.ClientID, Email: b.GuestEmail, FirstName: b.GuestName, TimeZone: b.GuestTimeZone}, true, nil
	}
	r, err := s.store.Recipient(ctx, b.ClientID)
	if errors.Is(err, ErrNotFound) {
		// The user's user.created may still be on its way: retry.
		return r, false, fmt.Errorf("booking %s client %s: %w", b.ID, b.ClientID, ErrRecipientUnknown)
	}
	if err != nil {
		return r, false, err
	}
	return r, !r.Deleted && r.Email != "", nil
}

// bookingView fills the view of a message about b for r.
func (s *Service) bookingView(ctx context.Context, b Booking, r Recipient) (View, Business, error) {
	biz, err := s.store.Business(ctx, b.BusinessID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return View{}, biz, err
	}
	off, err := s.store.Offering(ctx, b.ServiceID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return View{}, biz, err
	}
	loc := Zone(r.TimeZone, b.GuestTimeZone, biz.TimeZone)
	v := View{
		RecipientName: r.Name(), BusinessName: biz.Name, ServiceName: off.Name, BookingID: b.ID,
		Zone: loc.String(), Duration: off.DurationMinutes,
	}
	if v.ServiceName == "" {
		v.ServiceName = "Your appointment"
	}
	if !b.Start.IsZero() {
		v.Start, v.End = LocalTime(b.Start, loc), LocalTime(b.End, loc)
	}
	return v, biz, nil
}

func (s *Service) zoneOf(v *View) *time.Location { return Zone(v.Zone) }

// notifyBooking sends kind about b to its client; a non-empty method
// attaches the booking's invitation with that METHOD.
func (s *Service) notifyBooking(ctx context.Context, c call, b Booking, kind string, tweak func(*View), method string) error {
	r, ok, err := s.bookingRecipient(ctx, b)
	if err != nil || !ok {
		return err
	}
	v, biz, err := s.bookingView(ctx, b, r)
	if err != nil {
		return err
	}
	if tweak != nil {
		tweak(&v)
	}
	var inv *Invite
	if method != "" {
		inv = &Invite{
			UID: InviteUID(b.ID), Sequence: b.Sequence, Method: method, Stamp: c.ev.Timestamp,
			Start: b.Start, End: b.End, Summary: v.ServiceName + " – " + v.BusinessName,
			Organizer: s.fromAddress(), OrgName: biz.Name, Attendee: r.Email, AttName: r.Name(),
		}
	}
	return s.notify(ctx, c, r, kind, v, inv)
}

// notify renders kind for r and delivers it, once per (event, channel,
// address).
func (s *Service) notify(ctx context.Context, c call, r Recipient, kind string, v View, inv *Invite) error {
	if r.Deleted || r.Email == "" {
		return nil
	}
	o := outgoing{
		key:         DeliveryKey{SourceID: c.ev.ID, Channel: s.sender.Channel(), Recipient: r.Email},
		recipientID: r.ID, kind: kind, attempt: c.attempt,
		final: c.attempt >= s.opts.RetryAttempts, correlation: c.ev.CorrelationID,
	}
	if err := s.render(&o, r, kind, v, inv); err != nil {
		return err
	}
	return s.deliver(ctx, o)
}

func (s *Service) render(o *outgoing, r Recipient, kind string, v View, inv *Invite) error {
	o.msg = Message{To: r.Email, ToName: r.Name()}
	if err := s.tpl.Render(kind, v, &o.msg); err != nil {
		return err
	}
	if inv != nil {
		o.msg.Calendar, o.msg.CalendarMethod = inv.ICS(), inv.Method
	}
	return nil
}

// deliver runs the ledger's state machine for one message in the
// transaction ctx carries (see doc.go): the row goes to sending before
// the send and to sent after it, with notification.sent recorded in the
// same transaction. A failed send returns an error (the transaction rolls
// back) and the failure is recorded in a transaction of its own once the
// caller's has ended.
func (s *Service) deliver(ctx context.Context, o outgoing) error {
	d, err := s.store.Delivery(ctx, o.key)
	switch {
	case errors.Is(err, ErrNotFound):
		d = Delivery{ID: newID("notif_"), Key: o.key, CreatedAt: s.now()}
	case err != nil:
		return err
	case d.Status == StatusSent:
		return nil // sent before: never twice
	}
	d.RecipientID, d.Kind, d.Subject = o.recipientID, o.kind, o.msg.Subject
	d.Status, d.Attempts, d.UpdatedAt = StatusSending, max(d.Attempts+1, o.attempt), s.now()
	if err := s.store.PutDelivery(ctx, d); err != nil {
		return err
	}
	o.msg.MessageID = o.key.MessageID(s.domain)
	pid, err := s.sender.Send(ctx, o.msg)
	if err != nil {
		d.Status, d.LastError = StatusFailed, err.Error()
		s.recordFailure(o, d)
		return fmt.Errorf("send %s to %s: %w", o.kind, o.recipientID, err)
	}
	d.Status, d.ProviderMessageID, d.LastError, d.UpdatedAt = StatusSent, pid, "", s.now()
	if err := s.store.PutDelivery(ctx, d); err != nil {
		return err
	}
	if d, err = s.store.Delivery(ctx, o.key); err != nil { // the id the ledger kept
		return err
	}
	_, err = s.events.Record(ctx, d.ID, event.TypeNotificationSent, event.NotificationSent{
		NotificationID: d.ID, RecipientID: d.RecipientID, Type: d.Kind, Channel: d.Key.Channel, Status: StatusSent,
	})
	return err
}

// recordFailure writes a failed attempt to the ledger (and, after the last
// attempt, records notification.failed) in a transaction of its own, in
// the background: the caller's transaction is rolling back and, on SQLite,
// holds the only connection until it has.
func (s *Service) recordFailure(o outgoing, d Delivery) {
	s.bg.Go(func() {
		ctx := event.WithCorrelationID(context.Background(), o.correlation)
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := s.store.Atomically(ctx, func(ctx context.Context) error { return s.writeFailure(ctx, o, d) }); err != nil {
			s.opts.Logger.Warn("record failed notification", "notification_id", d.ID, "err", err)
		}
	})
}

func (s *Service) writeFailure(ctx context.Context, o outgoing, d Delivery) error {
	cur, err := s.store.Delivery(ctx, o.key)
	switch {
	case errors.Is(err, ErrNotFound):
		cur = d
	case err != nil:
		return err
	case cur.Status == StatusSent:
		return nil // a later attempt got through first
	default:
		cur.Attempts = max(cur.Attempts, d.Attempts)
		cur.Subject, cur.Kind, cur.RecipientID = d.Subject, d.Kind, d.RecipientID
	}
	cur.Status, cur.LastError, cur.UpdatedAt = StatusFailed, d.LastError, s.now()
	if err := s.store.PutDelivery(ctx, cur); err != nil {
		return err
	}
	if !o.final {
		return nil
	}
	_, err = s.events.Record(ctx, cur.ID, event.TypeNotificationFailed, event.NotificationFailed{
		NotificationID: cur.ID, RecipientID: cur.RecipientID, Type: cur.Kind, Channel: cur.Key.Channel,
		Status: StatusFailed, Error: cur.LastError,
	})
	return err
}
