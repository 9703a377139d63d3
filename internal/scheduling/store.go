package scheduling

import (
	"context"
	"time"

	"github.com/slotwise/slotwise/internal/event"
)

// Store is the scheduling service's persistence. Every method joins the
// transaction ctx carries (see Atomically); writes outside one run in a
// transaction of their own. Methods return ErrNotFound for a missing row.
type Store interface {
	// Atomically runs fn in one transaction (or in the one ctx already
	// carries): every Store call and every event recorded with the ctx
	// passed to fn commits or rolls back together.
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error

	Projections
	Bookings
}

// Projections is the read model of the business service's data.
type Projections interface {
	// PutBusiness inserts or replaces a business.
	PutBusiness(ctx context.Context, b Business) error
	Business(ctx context.Context, id string) (Business, error)
	BusinessBySubdomain(ctx context.Context, subdomain string) (Business, error)
	// PutOffering inserts or replaces a service.
	PutOffering(ctx context.Context, o Offering) error
	Offering(ctx context.Context, id string) (Offering, error)
	DeleteOffering(ctx context.Context, id string) error
	// PutStaff inserts or replaces a staff member.
	PutStaff(ctx context.Context, s Staff) error
	StaffMember(ctx context.Context, id string) (Staff, error)
	// Staff lists a business's staff by id.
	Staff(ctx context.Context, businessID string) ([]Staff, error)
	DeleteStaff(ctx context.Context, id string) error
	// PutAvailability inserts or replaces a staff member's hours.
	PutAvailability(ctx context.Context, a Availability) error
	// Availability returns the hours of the staff members that have any.
	Availability(ctx context.Context, staffIDs []string) (map[string]Availability, error)
	// ResetProjections deletes every projection row (before a replay).
	ResetProjections(ctx context.Context) error
	// Setting reads, in one query, what a slot search or a booking needs
	// before it computes (see SettingQuery); ErrNotFound when there is no
	// such business.
	Setting(ctx context.Context, q SettingQuery) (Setting, error)
}

// SettingQuery names what Projections.Setting reads: the business (by
// BusinessID, or when that is empty by Subdomain: the first by id, like
// BusinessBySubdomain), its service ServiceID, and its staff members (only
// StaffID when given) with their hours.
type SettingQuery struct {
	BusinessID string
	Subdomain  string
	ServiceID  string
	StaffID    string
}

// Setting is what Projections.Setting read.
type Setting struct {
	Business Business
	// Offering is the service, zero when the business has none of that id.
	Offering Offering
	// Staff are the business's staff members (only the one asked for,
	// when it is the business's), by id.
	Staff []Staff
	// Hours are the hours of the members of Staff that have any.
	Hours map[string]Availability
}

// Bookings is the bookings' persistence.
type Bookings interface {
	// InsertBooking inserts b; ErrSlotTaken when its blocked range
	// overlaps a pending or confirmed booking of the same staff member.
	InsertBooking(ctx context.Context, b Booking) error
	Booking(ctx context.Context, id string) (Booking, error)
	// UpdateBooking locks the booking, applies fn and writes the result
	// (status, times, hold, cancellation); ErrSlotTaken when the new
	// blocked range overlaps another booking.
	UpdateBooking(ctx context.Context, id string, fn func(*Booking) error) (Booking, error)
	// Busy returns the blocked ranges of pending and confirmed bookings of
	// the staff members that overlap [from, to), by start: one indexed
	// range query.
	Busy(ctx context.Context, staffIDs []string, from, to time.Time) ([]Busy, error)
	// BusyIgnoring is Busy without the range of the booking bookingID
	// (whatever its staff member): the search for a booking's new time,
	// where its own range does not block it.
	BusyIgnoring(ctx context.Context, staffIDs []string, from, to time.Time, bookingID string) ([]Busy, error)
	// BusinessBookings lists a business's bookings starting in [from, to)
	// (zero: unbounded), of status ("" for all), by start.
	BusinessBookings(ctx context.Context, businessID string, from, to time.Time, status Status) ([]Booking, error)
	// ClaimIdempotency records k unless (k.Scope, k.Key) exists; then it
	// returns the existing record and claimed false. A concurrent claim of
	// the same key waits until the first transaction ends.
	ClaimIdempotency(ctx context.Context, k Idempotency) (existing Idempotency, claimed bool, err error)
	// BookingByTokenHash returns the booking whose ManageTokenHash is hash
	// (an indexed lookup); ErrNotFound for none or an empty hash.
	BookingByTokenHash(ctx context.Context, hash string) (Booking, error)
	// ClientBookings returns up to q.Limit bookings of q.ClientID, one page
	// of the list q describes.
	ClientBookings(ctx context.Context, q ClientPageQuery) ([]Booking, error)
	// Idempotency returns the record of a key.
	Idempotency(ctx context.Context, scope, key string) (Idempotency, error)
	// ClaimDueHolds locks up to limit pending bookings whose hold ended at
	// or before now, skipping rows another transaction holds, so that each
	// is claimed by one instance; they stay locked until the transaction
	// ends.
	ClaimDueHolds(ctx context.Context, now time.Time, limit int) ([]Booking, error)
	// NextHold returns the earliest hold end of a pending booking.
	NextHold(ctx context.Context) (time.Time, bool, error)
}

// Events records events in the transaction ctx carries (see
// Store.Atomically), so they are published if and only if it commits. The
// app passes the service's *eventbus.Outbox: it builds each envelope (the
// catalog's version of its type, the outbox clock's time, the correlation
// id of ctx) and returns it.
type Events interface {
	// Record records one event of eventType about aggregateID.
	Record(ctx context.Context, aggregateID, eventType string, data any) (event.Envelope, error)
	// RecordAll records drafts, events about aggregateID, in order and in
	// one write; the Service records the events of one change with it.
	RecordAll(ctx context.Context, aggregateID string, drafts ...event.Draft) ([]event.Envelope, error)
}

// ClientPageQuery selects one page of a client's bookings
// (Bookings.ClientBookings), of every status.
type ClientPageQuery struct {
	ClientID string
	// Now splits the list: a booking that ends after Now is upcoming, one
	// that ended at or before it is past.
	Now time.Time
	// Past selects the past bookings, latest start first; otherwise the
	// upcoming ones, earliest start first (equal starts by id, in the same
	// direction).
	Past bool
	// After is the place of the previous page's last booking; the page
	// holds the bookings after it in that order (zero: from the first).
	After BookingPlace
	// Limit is the most bookings returned (> 0).
	Limit int
}

// BookingPlace is a booking's place in a list by start: its start and,
// among equal starts, its id.
type BookingPlace struct {
	Start time.Time
	ID    string
}
