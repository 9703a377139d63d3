package notification

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// about is what messages about one booking need besides the booking: its
// business, its service and the business's owner (zero when unknown or
// deleted).
type about struct {
	b     Booking
	biz   Business
	off   Offering
	owner Recipient
}

func (s *Service) about(ctx context.Context, b Booking) (about, error) {
	a := about{b: b}
	var err error
	if a.biz, err = s.store.Business(ctx, b.BusinessID); err != nil && !errors.Is(err, ErrNotFound) {
		return a, err
	}
	if a.off, err = s.store.Offering(ctx, b.ServiceID); err != nil && !errors.Is(err, ErrNotFound) {
		return a, err
	}
	if a.biz.OwnerID != "" {
		a.owner, err = s.store.Recipient(ctx, a.biz.OwnerID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return a, err
		}
		if a.owner.Deleted {
			a.owner = Recipient{}
		}
	}
	return a, nil
}

// view fills the view of a message about a.b for a reader named name who
// reads times in loc: the times in loc, and in the business's zone too
// when that is another.
func (a about) view(name string, loc *time.Location) View {
	b := a.b
	v := View{
		RecipientName: name, BusinessName: a.biz.Name, ServiceName: a.off.Name, Duration: a.off.DurationMinutes,
		Zone: loc.String(), Address: a.biz.Address, Amount: Price(b),
	}
	if v.ServiceName == "" {
		v.ServiceName = "Your appointment"
	}
	if !b.Start.IsZero() {
		v.Start, v.End = LocalTime(b.Start, loc), LocalTime(b.End, loc)
		if bl := Zone(a.biz.TimeZone); a.biz.TimeZone != "" && bl.String() != loc.String() {
			v.BusinessStart = LocalTime(b.Start, bl)
		}
	}
	if !b.HoldUntil.IsZero() {
		v.Deadline = LocalTime(b.HoldUntil, loc)
	}
	return v
}

// bookingView fills the view of a message about b for its client r, with
// the links to the booking's pages.
func (s *Service) bookingView(ctx context.Context, b Booking, r Recipient) (View, about, error) {
	a, err := s.about(ctx, b)
	if err != nil {
		return View{}, a, err
	}
	v := a.view(r.Name(), Zone(r.TimeZone, b.GuestTimeZone, a.biz.TimeZone))
	l := s.opts.Links
	v.ManageURL, v.PayURL, v.BookURL = l.Manage(b.ID), l.Pay(b.ID), l.Business(a.biz.Subdomain)
	return v, a, nil
}

func (s *Service) zoneOf(v *View) *time.Location { return Zone(v.Zone) }

// envelope is who a message says it is from and where replies go.
type envelope struct {
	fromName    string
	replyTo     string
	replyToName string
}

// clientEnvelope: a message about a booking comes from the business (its
// name, the configured sender address) and replies reach its owner.
func (a about) clientEnvelope() envelope {
	e := envelope{fromName: displayName(a.biz.Name)}
	if a.owner.Email != "" {
		e.replyTo, e.replyToName = a.owner.Email, displayName(a.biz.Name)
	}
	return e
}

// displayName makes a name fit for an address header's display name: no
// control characters (the channel quotes or encodes the rest).
func displayName(name string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, name))
}

// InviteAlarm is when an invitation's calendar alarm goes off before the
// start.
const InviteAlarm = time.Hour

// invite returns the calendar object of a message about a.b to r.
func (s *Service) invite(c call, a about, v View, r Recipient, method string) *Invite {
	summary := v.ServiceName
	if a.biz.Name != "" {
		summary += " – " + a.biz.Name
	}
	desc := v.ServiceName
	if a.biz.Name != "" {
		desc += " at " + a.biz.Name
	}
	desc += "."
	if v.ManageURL != "" {
		desc += "\nManage, reschedule or cancel your booking: " + v.ManageURL
	}
	return &Invite{
		UID: InviteUID(a.b.ID), Sequence: a.b.Sequence, Method: method, Stamp: c.ev.Timestamp,
		Start: a.b.Start, End: a.b.End, Summary: summary, Description: desc,
		Location: strings.Join(lines(a.biz.Address), ", "), URL: v.ManageURL,
		Organizer: s.fromAddr, OrgName: a.biz.Name, Attendee: r.Email, AttName: r.Name(), Alarm: InviteAlarm,
	}
}

// notifyBooking sends kind about b to its client; a non-empty method
// attaches the booking's invitation with that METHOD.
func (s *Service) notifyBooking(ctx context.Context, c call, b Booking, kind string, tweak func(*View), method string) error {
	r, ok, err := s.bookingRecipient(ctx, b)
	if err != nil || !ok {
		return err
	}
	v, a, err := s.bookingView(ctx, b, r)
	if err != nil {
		return err
	}
	v.WithInvite = method != ""
	if tweak != nil {
		tweak(&v)
	}
	var inv *Invite
	if method != "" {
		inv = s.invite(c, a, v, r, method)
	}
	return s.notify(ctx, c, r, kind, v, inv, a.clientEnvelope())
}

// notify renders kind for r and delivers it, once per (event, channel,
// address).
func (s *Service) notify(ctx context.Context, c call, r Recipient, kind string, v View, inv *Invite, env envelope) error {
	if r.Deleted || r.Email == "" {
		return nil
	}
	o := outgoing{
		key:         DeliveryKey{SourceID: c.ev.ID, Channel: s.sender.Channel(), Recipient: r.Email},
		recipientID: r.ID, kind: kind, attempt: c.attempt,
		final: c.attempt >= s.opts.RetryAttempts, correlation: c.ev.CorrelationID,
	}
	if err := s.render(&o.msg, r, kind, v, inv, env); err != nil {
		return err
	}
	return s.deliver(ctx, o)
}

// render fills m: addressed to r, from env, kind's parts and inv's
// calendar object (nil: none).
func (s *Service) render(m *Message, r Recipient, kind string, v View, inv *Invite, env envelope) error {
	*m = Message{To: r.Email, ToName: displayName(r.Name()), FromName: env.fromName, ReplyTo: env.replyTo, ReplyToName: env.replyToName}
	if err := s.tpl.Render(kind, v, m); err != nil {
		return err
	}
	if inv != nil {
		m.Calendar, m.CalendarMethod = inv.ICS(), inv.Method
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
		s.failMu.Lock()
		defer s.failMu.Unlock()
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
