package scheduling

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/scheduling/slots"
)

// Cancellation reasons recorded when the caller gives none.
const (
	reasonByClient   = "cancelled_by_client"
	reasonByBusiness = "cancelled_by_business"
	maxReasonLen     = 500
)

// errUnchanged tells UpdateBooking's caller that fn left the booking as it
// was (nothing to write, no event).
var errUnchanged = errors.New("booking unchanged")

// Booking returns a booking the actor may see: its business's owner, its
// client, an admin, or a guest with its manage token. Anyone else is told
// it does not exist.
func (s *Service) Booking(ctx context.Context, actor Actor, id string) (Booking, error) {
	b, err := s.store.Booking(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Booking{}, notFound("booking", id)
	}
	if err != nil {
		return Booking{}, fmt.Errorf("load booking %s: %w", id, err)
	}
	if _, err := s.access(ctx, actor, b); err != nil {
		return Booking{}, err
	}
	return b, nil
}

// party is who acts on a booking.
type party int

const (
	partyClient party = iota
	partyBusiness
)

// access decides whether actor may see and change b.
func (s *Service) access(ctx context.Context, actor Actor, b Booking) (party, error) {
	switch {
	case actor.Role == RoleAdmin:
		return partyBusiness, nil
	case actor.UserID != "" && actor.UserID == b.ClientID:
		return partyClient, nil
	case actor.ManageToken != "" && b.ManageTokenHash != "" &&
		subtle.ConstantTimeCompare([]byte(HashToken(actor.ManageToken)), []byte(b.ManageTokenHash)) == 1:
		return partyClient, nil
	case actor.UserID != "" && actor.Role == RoleOwner:
		biz, err := s.store.Business(ctx, b.BusinessID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return 0, fmt.Errorf("load business %s: %w", b.BusinessID, err)
		}
		if err == nil && biz.OwnerID == actor.UserID {
			return partyBusiness, nil
		}
	}
	if actor.Anonymous() && actor.ManageToken == "" {
		return 0, apperr.New(apperr.Unauthenticated, "an access token or the booking's ?token= is required")
	}
	return 0, notFound("booking", b.ID)
}

// Cancel cancels a pending or confirmed booking; records booking.cancelled.
func (s *Service) Cancel(ctx context.Context, actor Actor, id, reason string) (Booking, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > maxReasonLen {
		return Booking{}, apperr.Field(apperr.Invalid, "reason", "reason must be at most %d characters", maxReasonLen)
	}
	b, err := s.Booking(ctx, actor, id)
	if err != nil {
		return Booking{}, err
	}
	who, _ := s.access(ctx, actor, b) // checked by Booking
	if reason == "" {
		reason = reasonByClient
		if who == partyBusiness {
			reason = reasonByBusiness
		}
	}
	by := actor.UserID
	if by == "" {
		by = b.ClientID // a guest with the manage token
	}
	return s.finish(ctx, id, StatusCancelled, reason, by, notModifiable)
}

func notModifiable(b Booking) error {
	return apperr.New(apperr.Conflict, "booking %s is %s", b.ID, b.Status).WithReason(ReasonNotModifiable)
}

// finish moves a pending (or, for a cancellation, confirmed) booking to a
// final status and records its event, with the booking's correlation id.
// When the booking cannot move, onStuck says what to answer (nil: nothing
// happens and no error).
func (s *Service) finish(ctx context.Context, id string, to Status, reason, by string, onStuck func(Booking) error) (Booking, error) {
	var out Booking
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		b, err := s.store.UpdateBooking(ctx, id, func(b *Booking) error {
			ok := b.Status == StatusPending || (to == StatusCancelled && b.Status == StatusConfirmed)
			if !ok {
				if onStuck != nil {
					return onStuck(*b)
				}
				return errUnchanged
			}
			b.Status, b.HoldUntil, b.UpdatedAt = to, time.Time{}, s.clock()
			if to == StatusCancelled {
				b.CancelReason, b.CancelledBy = reason, by
			}
			return nil
		})
		if err != nil {
			return err
		}
		out = b
		return s.recordFinal(event.WithCorrelationID(ctx, b.CorrelationID), b)
	})
	if errors.Is(err, errUnchanged) {
		return out, nil
	}
	return out, storeError(err, "booking "+id)
}

func (s *Service) recordFinal(ctx context.Context, b Booking) error {
	eventType, data, err := finalEvent(b)
	if err != nil {
		return err
	}
	_, err = s.events.Record(ctx, b.ID, eventType, data)
	return err
}

// finalEvent is the event of a booking's move to its status.
func finalEvent(b Booking) (string, any, error) {
	switch b.Status {
	case StatusConfirmed:
		return event.TypeBookingConfirmed, confirmed(b), nil
	case StatusCancelled:
		return event.TypeBookingCancelled, event.BookingCancelled{
			BookingID: b.ID, BusinessID: b.BusinessID, ServiceID: b.ServiceID, ClientID: b.ClientID,
			StartTime: b.Start, EndTime: b.End, Reason: b.CancelReason, CancelledBy: b.CancelledBy,
		}, nil
	case StatusExpired:
		return event.TypeBookingExpired, event.BookingExpired{
			BookingID: b.ID, BusinessID: b.BusinessID, ServiceID: b.ServiceID, ClientID: b.ClientID,
			StartTime: b.Start, EndTime: b.End,
		}, nil
	}
	return "", nil, fmt.Errorf("no event for status %s", b.Status)
}

// Reschedule moves a pending or confirmed booking to another start of the
// same staff member, under the same rules as a new booking (the booking's
// own range does not block it); records booking.rescheduled.
func (s *Service) Reschedule(ctx context.Context, actor Actor, id, startTime string) (Booking, error) {
	if startTime == "" {
		return Booking{}, apperr.Field(apperr.Invalid, "startTime", "startTime is required")
	}
	start, err := parseStart(startTime)
	if err != nil {
		return Booking{}, err
	}
	b, err := s.Booking(ctx, actor, id)
	if err != nil {
		return Booking{}, err
	}
	if !b.Status.Blocks() {
		return Booking{}, notModifiable(b)
	}
	end, err := s.checkMove(ctx, b, start)
	if err != nil {
		return Booking{}, err
	}
	var out Booking
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		var prev Booking
		nb, err := s.store.UpdateBooking(ctx, id, func(x *Booking) error {
			if !x.Status.Blocks() {
				return notModifiable(*x)
			}
			prev = *x
			before, after := x.Start.Sub(x.BlockedStart), x.BlockedEnd.Sub(x.End)
			x.Start, x.End, x.BlockedStart, x.BlockedEnd = start, end, start.Add(-before), end.Add(after)
			x.UpdatedAt = s.clock()
			return nil
		})
		if err != nil {
			return err
		}
		out = nb
		_, err = s.events.Record(event.WithCorrelationID(ctx, nb.CorrelationID), nb.ID, event.TypeBookingRescheduled, event.BookingRescheduled{
			BookingID: nb.ID, BusinessID: nb.BusinessID, ServiceID: nb.ServiceID, ClientID: nb.ClientID,
			PreviousStartTime: prev.Start, PreviousEndTime: prev.End, StartTime: nb.Start, EndTime: nb.End,
		})
		return err
	})
	return out, storeError(err, "booking "+id)
}

// checkMove checks that start is a slot of b's staff member, ignoring b's
// own range, and returns the new end.
func (s *Service) checkMove(ctx context.Context, b Booking, start time.Time) (time.Time, error) {
	biz, err := load(ctx, s.store.Business, "business", b.BusinessID)
	if err != nil {
		return time.Time{}, err
	}
	o, err := load(ctx, s.store.Offering, "service", b.ServiceID)
	if err != nil {
		return time.Time{}, err
	}
	st, err := load(ctx, s.store.StaffMember, "staff member", b.StaffID)
	if err != nil {
		return time.Time{}, err
	}
	zone, err := loadZone(biz.TimeZone)
	if err != nil {
		return time.Time{}, err
	}
	d := dateOf(start, zone)
	req := s.request(biz, o, zone, zone, d, d)
	before, after := b.Start.Sub(b.BlockedStart), b.BlockedEnd.Sub(b.End)
	req.BufferBefore, req.BufferAfter, req.Duration = before, after, b.End.Sub(b.Start)
	end := start.Add(req.Duration)
	ins, err := s.staffInput(ctx, []Staff{st}, start.Add(-before), end.Add(after), b.ID)
	if err != nil {
		return time.Time{}, err
	}
	return end, fitError(slots.Fits(req, ins[0], start), start, req.Now)
}

// ListQuery filters a business's bookings.
type ListQuery struct {
	From, To string // RFC 3339 instants or YYYY-MM-DD dates in the business's zone; optional
	Status   string // optional
}

// BusinessBookings lists the bookings of one of the actor's businesses.
func (s *Service) BusinessBookings(ctx context.Context, actor Actor, businessID string, q ListQuery) ([]Booking, error) {
	switch {
	case actor.Anonymous():
		return nil, apperr.New(apperr.Unauthenticated, "this endpoint needs an access token")
	case actor.Role != RoleOwner && actor.Role != RoleAdmin:
		return nil, apperr.New(apperr.Forbidden, "role %s may not list a business's bookings", actor.Role)
	}
	b, err := s.store.Business(ctx, businessID)
	if errors.Is(err, ErrNotFound) || (err == nil && actor.Role != RoleAdmin && b.OwnerID != actor.UserID) {
		return nil, notFound("business", businessID)
	}
	if err != nil {
		return nil, fmt.Errorf("load business %s: %w", businessID, err)
	}
	zone, err := loadZone(b.TimeZone)
	if err != nil {
		return nil, err
	}
	from, err := instant("from", q.From, zone)
	if err != nil {
		return nil, err
	}
	to, err := instant("to", q.To, zone)
	if err != nil {
		return nil, err
	}
	if st := Status(q.Status); q.Status != "" && !st.Valid() {
		return nil, apperr.Field(apperr.Invalid, "status", "status must be pending, confirmed, cancelled or expired")
	}
	if q.To != "" && len(q.To) == len(time.DateOnly) {
		to = to.AddDate(0, 0, 1) // a date is inclusive
	}
	list, err := s.store.BusinessBookings(ctx, businessID, from, to, Status(q.Status))
	if err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	return list, nil
}

// instant parses an RFC 3339 instant or a local date (its midnight).
func instant(field, v string, zone *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, zone); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, apperr.Field(apperr.Invalid, field, "%s must be an RFC 3339 time or a date YYYY-MM-DD, got %q", field, v).WithReason("malformed_time")
}
