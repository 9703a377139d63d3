package scheduling

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/managetoken"
	"github.com/slotwise/slotwise/internal/money"
	"github.com/slotwise/slotwise/internal/scheduling/slots"
)

// Guest is a booking client without an account.
type Guest struct {
	Name  string
	Email string
	Phone string
}

// BookingInput is the input of CreateBooking.
type BookingInput struct {
	BusinessID string
	ServiceID  string
	StaffID    string // optional: any free staff member who performs the service
	StartTime  string // RFC 3339
	Client     *Guest // guest details; nil when the caller books as themself
	// Note is the client's optional note for the business ("anything we
	// should know?"): plain text of at most MaxNoteLen characters; line
	// breaks (CRLF and CR become LF) and tabs are its only control
	// characters.
	Note string
	// IdempotencyKey is the request's Idempotency-Key ("" for none).
	IdempotencyKey string
}

// Created is the result of CreateBooking.
type Created struct {
	Booking Booking
	// ManageToken is the token of the booking's manage link (?token=),
	// for every booking, a registered client's too; derived from the
	// booking id (managetoken.For), so a replayed answer carries it as
	// the first did. The service stores only its hash.
	ManageToken string
	// Replayed marks the answer to a repeated Idempotency-Key.
	Replayed bool
}

// Bounds of the guest details and the idempotency key.
const (
	maxNameLen   = 200
	maxEmailLen  = 254
	maxPhoneLen  = 40
	maxKeyLen    = 255
	maxBookTries = 20 // staff members tried when no staffId is given
)

// MaxNoteLen is the most characters (runes) a booking's note may have.
const MaxNoteLen = 1000

// CreateBooking books a slot: startTime must be one the slot search offers
// (for staffID, or for any staff member performing the service). Records
// booking.created, and booking.confirmed for a booking that need not be
// paid. With an idempotency key, a repeat of the same request returns the
// booking the first made.
func (s *Service) CreateBooking(ctx context.Context, actor Actor, in BookingInput) (Created, error) {
	who, err := client(actor, in.Client)
	if err != nil {
		return Created{}, err
	}
	start, err := checkBookingInput(in)
	if err != nil {
		return Created{}, err
	}
	if in.Note, err = checkNote(in.Note); err != nil {
		return Created{}, err
	}
	idem := Idempotency{Scope: who.scope, Key: in.IdempotencyKey, RequestHash: requestHash(in, who, start)}
	if idem.Key != "" {
		if c, ok, err := s.replay(ctx, idem); ok || err != nil {
			return c, err
		}
	}
	set, err := s.setting(ctx, SettingQuery{BusinessID: in.BusinessID, ServiceID: in.ServiceID, StaffID: in.StaffID})
	if err != nil {
		return Created{}, err
	}
	c, err := s.book(ctx, who, idem, set, start, in.Note)
	if err != nil && idem.Key != "" {
		// A concurrent duplicate may have booked the slot meanwhile: then
		// this request's answer is its booking.
		if c, ok, rerr := s.replay(ctx, idem); ok {
			return c, rerr
		}
	}
	return c, err
}

// who is the booking's client.
type who struct {
	clientID string
	guest    *Guest
	scope    string // the idempotency key's scope
}

func client(actor Actor, g *Guest) (who, error) {
	if g == nil {
		if actor.Anonymous() {
			return who{}, apperr.Field(apperr.Invalid, "client", "client {name, email} is required without an access token")
		}
		return who{clientID: actor.UserID, scope: "user:" + actor.UserID}, nil
	}
	checked, err := checkGuest(*g)
	if err != nil {
		return who{}, err
	}
	return who{guest: &checked, scope: "guest:" + strings.ToLower(checked.Email)}, nil
}

func checkGuest(g Guest) (Guest, error) {
	g.Name, g.Email, g.Phone = strings.TrimSpace(g.Name), strings.TrimSpace(g.Email), strings.TrimSpace(g.Phone)
	switch {
	case g.Name == "":
		return g, apperr.Field(apperr.Invalid, "client.name", "client.name is required")
	case utf8.RuneCountInString(g.Name) > maxNameLen:
		return g, apperr.Field(apperr.Invalid, "client.name", "client.name must be at most %d characters", maxNameLen)
	case g.Email == "":
		return g, apperr.Field(apperr.Invalid, "client.email", "client.email is required")
	case len(g.Phone) > maxPhoneLen:
		return g, apperr.Field(apperr.Invalid, "client.phone", "client.phone must be at most %d characters", maxPhoneLen)
	}
	addr, err := mail.ParseAddress(g.Email)
	if err != nil || addr.Address != g.Email || len(g.Email) > maxEmailLen {
		return g, apperr.Field(apperr.Invalid, "client.email", "client.email must be an e-mail address")
	}
	return g, nil
}

func checkBookingInput(in BookingInput) (time.Time, error) {
	for _, f := range []struct{ name, v string }{{"businessId", in.BusinessID}, {"serviceId", in.ServiceID}, {"startTime", in.StartTime}} {
		if f.v == "" {
			return time.Time{}, apperr.Field(apperr.Invalid, f.name, "%s is required", f.name)
		}
	}
	if len(in.IdempotencyKey) > maxKeyLen {
		return time.Time{}, apperr.Field(apperr.Invalid, "Idempotency-Key", "Idempotency-Key must be at most %d characters", maxKeyLen)
	}
	return parseStart(in.StartTime)
}

// checkNote normalises a booking's note (line breaks to LF, surrounding
// white space trimmed) and checks it: at most MaxNoteLen characters, valid
// UTF-8, no control character but newline and tab (400 naming note).
func checkNote(note string) (string, error) {
	note = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(note, "\r\n", "\n"), "\r", "\n"))
	switch {
	case !utf8.ValidString(note):
		return "", apperr.Field(apperr.Invalid, "note", "note must be UTF-8 text")
	case utf8.RuneCountInString(note) > MaxNoteLen:
		return "", apperr.Field(apperr.Invalid, "note", "note must be at most %d characters", MaxNoteLen)
	}
	for _, r := range note {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", apperr.Field(apperr.Invalid, "note", "note must be plain text: no control characters but line breaks and tabs, got %U", r)
		}
	}
	return note, nil
}

// parseStart parses an RFC 3339 start time (400 naming startTime).
func parseStart(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, apperr.Field(apperr.Invalid, "startTime", "startTime must be an RFC 3339 time such as 2026-03-02T09:00:00Z, got %q", s).WithReason("malformed_time")
	}
	return t.UTC(), nil
}

// requestHash identifies a request's content for its idempotency key.
func requestHash(in BookingInput, w who, start time.Time) string {
	parts := []string{in.BusinessID, in.ServiceID, in.StaffID, start.Format(time.RFC3339Nano), w.clientID}
	if w.guest != nil {
		parts = append(parts, w.guest.Name, strings.ToLower(w.guest.Email), w.guest.Phone)
	}
	if in.Note != "" {
		// Only when present, so a request without a note hashes as before
		// notes existed.
		parts = append(parts, "note", in.Note)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// replay answers a repeated idempotency key from the booking it made.
func (s *Service) replay(ctx context.Context, idem Idempotency) (Created, bool, error) {
	prev, err := s.store.Idempotency(ctx, idem.Scope, idem.Key)
	if errors.Is(err, ErrNotFound) {
		return Created{}, false, nil
	}
	if err != nil {
		return Created{}, false, fmt.Errorf("idempotency key: %w", err)
	}
	c, err := s.answerReplay(ctx, idem, prev)
	return c, true, err
}

func (s *Service) answerReplay(ctx context.Context, idem, prev Idempotency) (Created, error) {
	if prev.RequestHash != idem.RequestHash {
		return Created{}, apperr.Field(apperr.Unprocessable, "Idempotency-Key",
			"Idempotency-Key %q was used for a different request", idem.Key).WithReason(ReasonIdempotencyMismatch)
	}
	b, err := s.store.Booking(ctx, prev.BookingID)
	if err != nil {
		return Created{}, storeError(err, "booking "+prev.BookingID)
	}
	return Created{Booking: b, ManageToken: s.manageToken(b), Replayed: true}, nil
}

// book checks start against each candidate's free slots and inserts the
// booking for the first that fits; the database has the last word on
// overlaps (ErrSlotTaken), and a taken candidate passes to the next.
func (s *Service) book(ctx context.Context, w who, idem Idempotency, set Setting, start time.Time, note string) (Created, error) {
	b, o, staff := set.Business, set.Offering, set.Staff
	if len(staff) == 0 {
		return Created{}, apperr.Field(apperr.Unprocessable, "serviceId", "no staff member performs service %q", o.ID).WithReason(ReasonNoStaff)
	}
	zone, err := loadZone(b.TimeZone)
	if err != nil {
		return Created{}, err
	}
	d := dateOf(start, zone)
	req := s.request(b, o, zone, zone, d, d)
	before, after := o.Buffers()
	end := start.Add(o.Duration())
	ins, err := s.withBusy(ctx, staff, set.Hours, start.Add(-before), end.Add(after), "")
	if err != nil {
		return Created{}, err
	}
	var firstErr error
	for i, st := range ins {
		if i >= maxBookTries {
			break
		}
		if err := slots.Fits(req, st, start); err != nil {
			if firstErr == nil || errors.Is(err, slots.ErrOverlaps) {
				firstErr = fitError(err, start, req.Now)
			}
			continue
		}
		c, err := s.insert(ctx, w, idem, o, st.ID, start, end, req.Now, note)
		if errors.Is(err, ErrSlotTaken) {
			firstErr = storeError(err, "booking")
			continue
		}
		return c, err
	}
	return Created{}, firstErr
}

// insert writes the booking and its events in one transaction, claiming
// the idempotency key in it: a concurrent duplicate waits for it and then
// answers with this booking.
func (s *Service) insert(ctx context.Context, w who, idem Idempotency, o Offering, staffID string, start, end, now time.Time, note string) (Created, error) {
	bk, token, err := s.newBooking(ctx, w, o, staffID, start, end, now)
	if err != nil {
		return Created{}, err
	}
	bk.Note = note
	ctx = event.WithCorrelationID(ctx, bk.CorrelationID)
	var out Created
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if idem.Key != "" {
			idem.BookingID, idem.CreatedAt = bk.ID, now
			prev, claimed, err := s.store.ClaimIdempotency(ctx, idem)
			if err != nil {
				return fmt.Errorf("idempotency key: %w", err)
			}
			if !claimed {
				out, err = s.answerReplay(ctx, idem, prev)
				return err
			}
		}
		if err := s.store.InsertBooking(ctx, bk); err != nil {
			return err
		}
		out = Created{Booking: bk, ManageToken: token}
		return s.recordCreated(ctx, bk, w)
	})
	if err != nil {
		return Created{}, err
	}
	if out.Booking.ID == bk.ID && bk.Status == StatusPending {
		s.holdMade()
	}
	return out, nil
}

func (s *Service) newBooking(ctx context.Context, w who, o Offering, staffID string, start, end, now time.Time) (Booking, string, error) {
	before, after := o.Buffers()
	bk := Booking{
		ID: s.newID(bookingPrefix), BusinessID: o.BusinessID, ServiceID: o.ID, StaffID: staffID, ClientID: w.clientID,
		Status: StatusConfirmed, Start: start, End: end, BlockedStart: start.Add(-before), BlockedEnd: end.Add(after),
		TotalMinor: o.PriceMinor, Currency: o.Currency, RequiresPayment: o.RequiresPayment && o.PriceMinor > 0,
		CorrelationID: event.CorrelationID(ctx), CreatedAt: now, UpdatedAt: now,
	}
	if bk.BlockedEnd.Sub(bk.BlockedStart) > MaxBlockedSpan {
		return Booking{}, "", apperr.New(apperr.Unprocessable, "service %q blocks more than %s", o.ID, MaxBlockedSpan)
	}
	if bk.CorrelationID == "" {
		bk.CorrelationID = event.NewCorrelationID()
	}
	if bk.RequiresPayment {
		bk.Status, bk.HoldUntil = StatusPending, now.Add(s.hold)
	}
	if w.guest != nil {
		bk.ClientID = s.newID(guestPrefix)
		bk.ClientName, bk.ClientEmail, bk.ClientPhone = w.guest.Name, w.guest.Email, w.guest.Phone
	}
	token := managetoken.For(s.linkKey, bk.ID)
	bk.ManageTokenHash = managetoken.Hash(token)
	return bk, token, nil
}

// manageToken returns b's manage token, derived again from its id; ""
// for a booking whose token was not derived with this key (one made
// before tokens were derived holds a random token known only by its hash).
func (s *Service) manageToken(b Booking) string {
	token := managetoken.For(s.linkKey, b.ID)
	if subtle.ConstantTimeCompare([]byte(managetoken.Hash(token)), []byte(b.ManageTokenHash)) != 1 {
		return ""
	}
	return token
}

// HashToken returns the hex SHA-256 of a manage token: what a Booking's
// ManageTokenHash holds (managetoken.Hash).
func HashToken(token string) string { return managetoken.Hash(token) }

func (s *Service) recordCreated(ctx context.Context, b Booking, w who) error {
	d := event.BookingCreated{
		BookingID: b.ID, BusinessID: b.BusinessID, ServiceID: b.ServiceID, ClientID: b.ClientID,
		StartTime: b.Start, EndTime: b.End, TotalAmount: money.Float(b.TotalMinor, b.Currency),
		RequiresPayment: b.RequiresPayment, StaffID: b.StaffID, Currency: b.Currency, Status: string(b.Status),
		HoldUntil: b.HoldUntil, ClientName: b.ClientName, ClientEmail: b.ClientEmail, ManageTokenHash: b.ManageTokenHash,
		Note: b.Note,
	}
	evs := []event.Draft{{Type: event.TypeBookingCreated, Data: d}}
	if b.Status == StatusConfirmed {
		evs = append(evs, event.Draft{Type: event.TypeBookingConfirmed, Data: confirmed(b)})
	}
	_, err := s.events.RecordAll(ctx, b.ID, evs...)
	return err
}

func confirmed(b Booking) event.BookingConfirmed {
	return event.BookingConfirmed{
		BookingID: b.ID, BusinessID: b.BusinessID, ServiceID: b.ServiceID, ClientID: b.ClientID,
		StartTime: b.Start, EndTime: b.End, StaffID: b.StaffID,
	}
}
