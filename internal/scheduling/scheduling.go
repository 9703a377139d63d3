package scheduling

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/event"
)

// Sentinel errors of the Store; match them with errors.Is.
var (
	// ErrNotFound: no such row.
	ErrNotFound = errors.New("not found")
	// ErrSlotTaken: the booking would overlap a pending or confirmed
	// booking of the same staff member (buffers included).
	ErrSlotTaken = errors.New("slot taken")
)

// Reasons of the API's errors (apperr reasons).
const (
	ReasonSlotTaken           = "slot_taken"
	ReasonOutsideHours        = "outside_hours"
	ReasonNotOnStep           = "not_on_slot_interval"
	ReasonTooSoon             = "inside_minimum_notice"
	ReasonInPast              = "in_the_past"
	ReasonBeyondHorizon       = "beyond_horizon"
	ReasonIdempotencyMismatch = "idempotency_key_reused"
	ReasonNotModifiable       = "booking_not_modifiable"
	ReasonNoStaff             = "no_staff_offers_service"
	ReasonRangeTooLong        = "range_too_long"
	// ReasonPaymentFailed is the cancel reason of bookings a declined
	// payment cancelled before a declined attempt left the booking pending
	// until its hold ends (such bookings remain in the data).
	ReasonPaymentFailed = "payment_failed"
)

// Status is a booking's state: pending (waiting for payment) → confirmed |
// cancelled | expired; a free booking is confirmed at once.
type Status string

// The statuses.
const (
	StatusPending   Status = "pending"
	StatusConfirmed Status = "confirmed"
	StatusCancelled Status = "cancelled"
	StatusExpired   Status = "expired"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusPending || s == StatusConfirmed || s == StatusCancelled || s == StatusExpired
}

// Blocks reports whether a booking in status s holds its time range.
func (s Status) Blocks() bool { return s == StatusPending || s == StatusConfirmed }

// Rules are booking rules (a business's, with a service's overrides
// applied).
type Rules struct {
	MinNoticeMinutes    int
	HorizonDays         int
	SlotIntervalMinutes int
}

// DefaultRules are the rules of a business.created without bookingRules
// (the business service's defaults).
func DefaultRules() Rules {
	return Rules{MinNoticeMinutes: 0, HorizonDays: 365, SlotIntervalMinutes: 15}
}

// RuleOverrides are a service's overrides of its business's rules (nil:
// not overridden).
type RuleOverrides struct {
	MinNoticeMinutes    *int
	HorizonDays         *int
	SlotIntervalMinutes *int
}

// Apply returns r with the set values of o.
func (r Rules) Apply(o RuleOverrides) Rules {
	if o.MinNoticeMinutes != nil {
		r.MinNoticeMinutes = *o.MinNoticeMinutes
	}
	if o.HorizonDays != nil {
		r.HorizonDays = *o.HorizonDays
	}
	if o.SlotIntervalMinutes != nil {
		r.SlotIntervalMinutes = *o.SlotIntervalMinutes
	}
	return r
}

// Business is the read model of a business.
type Business struct {
	ID        string
	OwnerID   string
	Name      string
	Subdomain string
	TimeZone  string
	Rules     Rules
}

// Offering is the read model of a service a business sells; money in
// minor units of Currency.
type Offering struct {
	ID              string
	BusinessID      string
	Name            string
	DurationMinutes int
	PriceMinor      int64
	Currency        string
	BufferBefore    int // minutes
	BufferAfter     int // minutes
	RequiresPayment bool
	Rules           RuleOverrides
}

// Duration returns the service's duration.
func (o Offering) Duration() time.Duration { return time.Duration(o.DurationMinutes) * time.Minute }

// Buffers returns the buffers before and after a booking of the service.
func (o Offering) Buffers() (before, after time.Duration) {
	return time.Duration(o.BufferBefore) * time.Minute, time.Duration(o.BufferAfter) * time.Minute
}

// Staff is the read model of a staff member. The implicit member performs
// every service of its business.
type Staff struct {
	ID         string
	BusinessID string
	Name       string
	ServiceIDs []string
	Implicit   bool
}

// Offers reports whether the member performs the service.
func (s Staff) Offers(serviceID string) bool {
	return s.Implicit || slices.Contains(s.ServiceIDs, serviceID)
}

// Availability is the read model of a staff member's opening hours, local
// times in TimeZone (the business's zone when they were set).
type Availability struct {
	StaffID    string
	BusinessID string
	TimeZone   string
	Weekly     []event.WeeklyInterval
	Overrides  []event.DateOverride
}

// Booking is a booking. BlockedStart/BlockedEnd is the range it keeps from
// other bookings of its staff member while pending or confirmed: Start
// minus the buffer before to End plus the buffer after.
type Booking struct {
	ID              string
	BusinessID      string
	ServiceID       string
	StaffID         string
	ClientID        string // a user id, or "guest_…" for a guest
	ClientName      string // guests only
	ClientEmail     string // guests only
	ClientPhone     string // guests only
	Note            string // the client's note for the business ("" for none)
	Status          Status
	Start, End      time.Time
	BlockedStart    time.Time
	BlockedEnd      time.Time
	TotalMinor      int64
	Currency        string
	RequiresPayment bool
	HoldUntil       time.Time // zero unless a pending booking waits for payment
	ManageTokenHash string    // hex SHA-256 of the booking's manage token (managetoken.Hash)
	CorrelationID   string    // of the request that created it
	CancelReason    string
	CancelledBy     string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// IsGuest reports whether the booking was made without an account. Every
// booking has a manage token (ManageTokenHash), a registered client's too,
// so the client id says it: a guest's is "guest_…".
func (b Booking) IsGuest() bool { return strings.HasPrefix(b.ClientID, guestPrefix) }

// Busy is a blocked range of a staff member: a pending or confirmed
// booking's BlockedStart–BlockedEnd.
type Busy struct {
	StaffID    string
	Start, End time.Time
}

// MaxBlockedSpan bounds a booking's blocked range (the business service's
// longest duration plus both longest buffers, with a margin); range queries
// use it so that their cost does not grow with bookings outside the window.
const MaxBlockedSpan = 4 * 24 * time.Hour

// Idempotency is a claimed Idempotency-Key: its scope (the client or the
// guest's e-mail), the request's hash, and the booking it created.
type Idempotency struct {
	Scope       string
	Key         string
	RequestHash string
	BookingID   string
	CreatedAt   time.Time
}
