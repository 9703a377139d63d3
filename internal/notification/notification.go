package notification

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Sentinel errors of the notification service.
var (
	// ErrNotFound: no such row (projection, delivery, reminder, webhook).
	ErrNotFound = errors.New("notification: not found")
	// ErrRecipientUnknown: the event names a recipient this service has no
	// address for (yet): its user.created has not been projected.
	ErrRecipientUnknown = errors.New("notification: recipient unknown")
	// ErrNoSender: a delivery was attempted without a channel configured.
	ErrNoSender = errors.New("notification: no sender")
)

// Channels a message can go out on.
const (
	ChannelEmail = "email"
	ChannelLog   = "log"
)

// Recipient is a person this service can write to, projected from user.*
// events, or from a guest booking's contact details (ID is then the
// booking's clientId).
type Recipient struct {
	ID        string
	Email     string
	FirstName string
	LastName  string
	TimeZone  string // IANA name; "" when unknown
	Deleted   bool
	UpdatedAt time.Time
}

// Name returns the recipient's display name ("" when unknown).
func (r Recipient) Name() string {
	return strings.TrimSpace(r.FirstName + " " + r.LastName)
}

// Business is what the notifications need of a business.
type Business struct {
	ID        string
	Name      string
	TimeZone  string
	OwnerID   string
	Subdomain string // its booking page is <public URL>/b/<Subdomain>
	Address   string // postal address, lines joined by "\n"; "" when not set
	// ReminderOffsets are how long before a booking's start reminders go
	// out; nil means DefaultReminderOffsets.
	ReminderOffsets []time.Duration
}

// DefaultReminderOffsets: a reminder a day before and an hour before.
var DefaultReminderOffsets = []time.Duration{24 * time.Hour, time.Hour}

// Offering is a business's service (name and length), projected from
// service.* events.
type Offering struct {
	ID              string
	BusinessID      string
	Name            string
	DurationMinutes int
	Deleted         bool
}

// Booking statuses as this service sees them.
const (
	BookingPending   = "pending"
	BookingConfirmed = "confirmed"
	BookingCancelled = "cancelled"
	BookingExpired   = "expired"
)

// Booking is the projection of a booking: its times, status, price and
// the calendar sequence of its invitation (incremented on every change the
// invitee's calendar must apply).
type Booking struct {
	ID         string
	BusinessID string
	ServiceID  string
	ClientID   string
	StaffID    string
	Start      time.Time
	End        time.Time
	Status     string
	Sequence   int
	// Invited: the client was sent the invitation (METHOD:REQUEST), so a
	// cancellation must withdraw it; a booking that never was confirmed
	// gets no METHOD:CANCEL.
	Invited bool
	// Amount (major units of Currency) and RequiresPayment from
	// booking.created; Currency "" when it was not seen. HoldUntil is when
	// an unpaid pending booking is released (zero when none).
	Amount          float64
	Currency        string
	RequiresPayment bool
	HoldUntil       time.Time
	// Guest contact details from booking.created (empty for registered
	// clients, who are Recipients).
	GuestName     string
	GuestEmail    string
	GuestTimeZone string
	// Note is the client's note for the business (booking.created 1.1),
	// shown to the owner.
	Note      string
	UpdatedAt time.Time
}

// Kinds of message: the template names, and the notification "type" of
// notification.sent / notification.failed.
const (
	KindWelcome             = "welcome"
	KindBookingReceived     = "booking_received"
	KindBookingAwaitPayment = "booking_awaiting_payment"
	KindBookingConfirmation = "booking_confirmation"
	KindBookingRescheduled  = "booking_rescheduled"
	KindBookingCancelled    = "booking_cancelled"
	KindBookingExpired      = "booking_expired"
	KindPaymentFailed       = "payment_failed"
	KindPaymentRefunded     = "payment_refunded"
	KindReminder            = "booking_reminder"
	// Messages to the business's owner (sent through the queue, see
	// QueuedMessage).
	KindOwnerNewBooking  = "owner_booking_new"
	KindOwnerRescheduled = "owner_booking_rescheduled"
	KindOwnerCancelled   = "owner_booking_cancelled"
)

// Delivery statuses: see doc.go for the state machine.
const (
	StatusPending = "pending"
	StatusSending = "sending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// DeliveryKey identifies one message: the event (or reminder) that caused
// it, the channel and the recipient address. A key is sent at most once
// except in the crash window described in doc.go.
type DeliveryKey struct {
	SourceID  string // event id, or reminder id
	Channel   string
	Recipient string // the address written to
}

// MessageID returns the RFC 5322 Message-ID derived from the key, so that a
// message re-sent in the crash window carries the same id and receivers
// can drop the duplicate.
func (k DeliveryKey) MessageID(domain string) string {
	sum := sha256.Sum256([]byte(k.SourceID + "\x00" + k.Channel + "\x00" + strings.ToLower(k.Recipient)))
	return hex.EncodeToString(sum[:16]) + "@" + domain
}

// Delivery is the ledger row of one message.
type Delivery struct {
	ID                string // "notif_…", the notificationId announced
	Key               DeliveryKey
	RecipientID       string
	Kind              string
	Subject           string
	Status            string
	Attempts          int
	ProviderMessageID string
	LastError         string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}
