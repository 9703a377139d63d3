package event

import (
	"encoding/json"
	"time"
)

// Event type names. Each is the suffix of the type's subject (see Subject)
// and names a schema directory in package catalog.
const (
	TypeUserCreated = "user.created"
	TypeUserUpdated = "user.updated"
	TypeUserDeleted = "user.deleted"

	TypeBusinessCreated = "business.created"
	TypeBusinessUpdated = "business.updated"

	TypeServiceCreated = "service.created"
	TypeServiceUpdated = "service.updated"
	TypeServiceDeleted = "service.deleted"

	TypeStaffCreated = "staff.created"
	TypeStaffUpdated = "staff.updated"
	TypeStaffDeleted = "staff.deleted"

	TypeAvailabilityUpdated = "availability.updated"

	TypeBookingCreated     = "booking.created"
	TypeBookingConfirmed   = "booking.confirmed"
	TypeBookingCancelled   = "booking.cancelled"
	TypeBookingRescheduled = "booking.rescheduled"
	TypeBookingExpired     = "booking.expired"

	TypePaymentSucceeded = "payment.succeeded"
	TypePaymentFailed    = "payment.failed"
	TypePaymentRefunded  = "payment.refunded"

	TypeNotificationSent   = "notification.sent"
	TypeNotificationFailed = "notification.failed"

	TypeDLQFailedEvent = DLQType
)

// Payload is the typed data of one event type. Build an envelope generically
// with New(now, p.EventType(), version, source, correlationID, p).
type Payload interface {
	EventType() string
}

// Payloads returns a zero value of every payload type, one per event type.
// Tests use it to keep the Go types and the schema catalog in step.
func Payloads() []Payload {
	return []Payload{
		UserCreated{}, UserUpdated{}, UserDeleted{},
		BusinessCreated{}, BusinessUpdated{},
		ServiceCreated{}, ServiceUpdated{}, ServiceDeleted{},
		StaffCreated{}, StaffUpdated{}, StaffDeleted{},
		AvailabilityUpdated{},
		BookingCreated{}, BookingConfirmed{}, BookingCancelled{}, BookingRescheduled{}, BookingExpired{},
		PaymentSucceeded{}, PaymentFailed{}, PaymentRefunded{},
		NotificationSent{}, NotificationFailed{},
		DLQFailedEvent{},
	}
}

// Money in payloads.
//
// The seed writes amounts as JSON numbers in major currency units
// ("price": 150.00), so payload money fields are float64. That is safe only
// at this edge: services keep money as integer minor units (cents) and
// convert when they build or read a payload (amounts up to 2^53 cents are
// exact in a float64 and round-trip through JSON).

// UserCreated is the data of user.created.
type UserCreated struct {
	UserID    string `json:"userId"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Role      string `json:"role"`
}

// UserUpdated is the data of user.updated: the changed fields (by their JSON
// name) and their new values.
type UserUpdated struct {
	UserID  string         `json:"userId"`
	Changes map[string]any `json:"changes"`
}

// UserDeleted is the data of user.deleted.
type UserDeleted struct {
	UserID string `json:"userId"`
}

// BusinessCreated is the data of business.created. TimeZone and
// BookingRules are additive optional fields (absent in the seed);
// Description, Address and EmbedOrigins came in 1.1 and are absent when
// not set.
type BusinessCreated struct {
	BusinessID   string        `json:"businessId"`
	Name         string        `json:"name"`
	Subdomain    string        `json:"subdomain"`
	OwnerID      string        `json:"ownerId"`
	TimeZone     string        `json:"timeZone,omitempty"` // IANA name
	BookingRules *BookingRules `json:"bookingRules,omitempty"`
	Description  string        `json:"description,omitempty"`  // plain text
	Address      string        `json:"address,omitempty"`      // postal address, lines joined by \n
	EmbedOrigins []string      `json:"embedOrigins,omitempty"` // origins that may frame the booking page
}

// BookingRules are a business's booking rules, or a service's overrides of
// them (a nil field: the business's value applies).
type BookingRules struct {
	MinNoticeMinutes    *int `json:"minNoticeMinutes,omitempty"`    // least notice before a start
	HorizonDays         *int `json:"horizonDays,omitempty"`         // how many days ahead one may book
	SlotIntervalMinutes *int `json:"slotIntervalMinutes,omitempty"` // minutes between possible starts
}

// BusinessUpdated is the data of business.updated. Changes holds each
// changed field with its new value: name, subdomain, timeZone,
// bookingRules (all three rules), and since 1.1 description, address
// ("" when cleared) and embedOrigins (a list, [] when cleared).
type BusinessUpdated struct {
	BusinessID string         `json:"businessId"`
	Changes    map[string]any `json:"changes"`
}

// ServiceCreated is the data of service.created. Duration is in minutes;
// Price in major units of Currency (optional; the business's currency when
// empty). The fields after Currency are additive optional fields: buffers in
// minutes, whether a booking must be paid, and overrides of the business's
// booking rules.
type ServiceCreated struct {
	ServiceID       string        `json:"serviceId"`
	BusinessID      string        `json:"businessId"`
	Name            string        `json:"name"`
	Duration        int           `json:"duration"`
	Price           float64       `json:"price"`
	Currency        string        `json:"currency,omitempty"`
	Description     string        `json:"description,omitempty"`
	BufferBefore    *int          `json:"bufferBefore,omitempty"`
	BufferAfter     *int          `json:"bufferAfter,omitempty"`
	RequiresPayment *bool         `json:"requiresPayment,omitempty"`
	BookingRules    *BookingRules `json:"bookingRules,omitempty"`
}

// ServiceUpdated is the data of service.updated.
type ServiceUpdated struct {
	ServiceID  string         `json:"serviceId"`
	BusinessID string         `json:"businessId"`
	Changes    map[string]any `json:"changes"`
}

// ServiceDeleted is the data of service.deleted.
type ServiceDeleted struct {
	ServiceID  string `json:"serviceId"`
	BusinessID string `json:"businessId"`
}

// StaffCreated is the data of staff.created: a staff member of a business
// and the services they perform. The implicit member (Implicit true) is the
// owner standing in while the business has no staff added; it performs
// every service of the business and its ServiceIDs is empty.
type StaffCreated struct {
	StaffID    string   `json:"staffId"`
	BusinessID string   `json:"businessId"`
	Name       string   `json:"name"`
	ServiceIDs []string `json:"serviceIds"`
	Implicit   bool     `json:"implicit,omitempty"`
}

// StaffUpdated is the data of staff.updated: the member's full new state.
type StaffUpdated struct {
	StaffID    string   `json:"staffId"`
	BusinessID string   `json:"businessId"`
	Name       string   `json:"name"`
	ServiceIDs []string `json:"serviceIds"`
	Implicit   bool     `json:"implicit,omitempty"`
}

// MarshalJSON writes a nil ServiceIDs as an empty array, as the schema
// requires.
func (s StaffCreated) MarshalJSON() ([]byte, error) {
	type plain StaffCreated
	p := plain(s)
	if p.ServiceIDs == nil {
		p.ServiceIDs = []string{}
	}
	return json.Marshal(p)
}

// MarshalJSON writes a nil ServiceIDs as an empty array, as the schema
// requires.
func (s StaffUpdated) MarshalJSON() ([]byte, error) {
	type plain StaffUpdated
	p := plain(s)
	if p.ServiceIDs == nil {
		p.ServiceIDs = []string{}
	}
	return json.Marshal(p)
}

// StaffDeleted is the data of staff.deleted (also sent when the implicit
// member retires because the first staff member was added).
type StaffDeleted struct {
	StaffID    string `json:"staffId"`
	BusinessID string `json:"businessId"`
	Implicit   bool   `json:"implicit,omitempty"`
}

// AvailabilityUpdated is the data of availability.updated: the complete
// weekly schedule and date overrides of one staff member, in TimeZone.
type AvailabilityUpdated struct {
	BusinessID string           `json:"businessId"`
	StaffID    string           `json:"staffId"`
	TimeZone   string           `json:"timeZone"` // IANA name, e.g. "Europe/Berlin"
	Weekly     []WeeklyInterval `json:"weekly"`
	Overrides  []DateOverride   `json:"overrides"`
}

// MarshalJSON writes nil Weekly and Overrides as empty arrays, as the schema
// requires.
func (a AvailabilityUpdated) MarshalJSON() ([]byte, error) {
	type plain AvailabilityUpdated
	p := plain(a)
	if p.Weekly == nil {
		p.Weekly = []WeeklyInterval{}
	}
	if p.Overrides == nil {
		p.Overrides = []DateOverride{}
	}
	return json.Marshal(p)
}

// WeeklyInterval is an open interval on a weekday (0 = Sunday … 6 =
// Saturday), Start and End local times "HH:MM" ("24:00" ends the day).
type WeeklyInterval struct {
	Weekday int    `json:"weekday"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

// DateOverride replaces the weekly schedule on one date ("YYYY-MM-DD"):
// closed all day, or open in Intervals.
type DateOverride struct {
	Date      string         `json:"date"`
	Closed    bool           `json:"closed,omitempty"`
	Intervals []TimeInterval `json:"intervals,omitempty"`
}

// TimeInterval is a local "HH:MM" to "HH:MM" interval.
type TimeInterval struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// BookingCreated is the data of booking.created. TotalAmount is in major
// currency units (see "Money in payloads").
type BookingCreated struct {
	BookingID       string    `json:"bookingId"`
	BusinessID      string    `json:"businessId"`
	ServiceID       string    `json:"serviceId"`
	ClientID        string    `json:"clientId"`
	StartTime       time.Time `json:"startTime"`
	EndTime         time.Time `json:"endTime"`
	TotalAmount     float64   `json:"totalAmount"`
	RequiresPayment bool      `json:"requiresPayment"`
	// Additive fields (1.0, optional): the staff member booked, the
	// currency of totalAmount, the booking's status at creation (pending
	// until paid, or confirmed), the end of a pending booking's payment
	// hold, the guest's contact details (for e-mails; registered clients
	// are known by clientId), and the SHA-256 (hex) of the booking's
	// manage token (every booking has one, a registered client's too), so
	// other services can check a ?token= without the token itself
	// travelling. Note (1.1, optional) is the client's note for the
	// business, plain text (newlines and tabs, no other control
	// characters), at most 1000 characters; absent when none.
	StaffID         string    `json:"staffId,omitempty"`
	Currency        string    `json:"currency,omitempty"`
	Status          string    `json:"status,omitempty"`
	HoldUntil       time.Time `json:"holdUntil,omitzero"`
	ClientName      string    `json:"clientName,omitempty"`
	ClientEmail     string    `json:"clientEmail,omitempty"`
	ClientTimeZone  string    `json:"clientTimeZone,omitempty"`
	ManageTokenHash string    `json:"manageTokenHash,omitempty"`
	Note            string    `json:"note,omitempty"`
}

// BookingConfirmed is the data of booking.confirmed.
type BookingConfirmed struct {
	BookingID  string    `json:"bookingId"`
	BusinessID string    `json:"businessId"`
	ServiceID  string    `json:"serviceId"`
	ClientID   string    `json:"clientId"`
	StartTime  time.Time `json:"startTime"`
	EndTime    time.Time `json:"endTime"`
	StaffID    string    `json:"staffId,omitempty"` // additive, optional
}

// BookingCancelled is the data of booking.cancelled. CancelledBy is the id
// of the user who cancelled, if known.
type BookingCancelled struct {
	BookingID   string    `json:"bookingId"`
	BusinessID  string    `json:"businessId"`
	ServiceID   string    `json:"serviceId"`
	ClientID    string    `json:"clientId"`
	StartTime   time.Time `json:"startTime"`
	EndTime     time.Time `json:"endTime"`
	Reason      string    `json:"reason"`
	CancelledBy string    `json:"cancelledBy,omitempty"`
}

// BookingRescheduled is the data of booking.rescheduled.
type BookingRescheduled struct {
	BookingID         string    `json:"bookingId"`
	BusinessID        string    `json:"businessId"`
	ServiceID         string    `json:"serviceId"`
	ClientID          string    `json:"clientId"`
	PreviousStartTime time.Time `json:"previousStartTime"`
	PreviousEndTime   time.Time `json:"previousEndTime"`
	StartTime         time.Time `json:"startTime"`
	EndTime           time.Time `json:"endTime"`
}

// BookingExpired is the data of booking.expired (an unpaid hold ran out).
type BookingExpired struct {
	BookingID  string    `json:"bookingId"`
	BusinessID string    `json:"businessId"`
	ServiceID  string    `json:"serviceId"`
	ClientID   string    `json:"clientId"`
	StartTime  time.Time `json:"startTime"`
	EndTime    time.Time `json:"endTime"`
}

// PaymentSucceeded is the data of payment.succeeded. Currency is an ISO 4217
// code ("USD"); Amount in its major units.
type PaymentSucceeded struct {
	PaymentID       string  `json:"paymentId"`
	PaymentIntentID string  `json:"paymentIntentId"`
	BookingID       string  `json:"bookingId"`
	BusinessID      string  `json:"businessId"`
	ClientID        string  `json:"clientId"`
	Amount          float64 `json:"amount"`
	Currency        string  `json:"currency"`
	Method          string  `json:"method"`
}

// PaymentFailed is the data of payment.failed: one declined attempt (the
// payment stays payable while the booking's hold lasts). FailureMessage
// (1.1, optional) is FailureReason in words for people, e.g. "Your card
// was declined.".
type PaymentFailed struct {
	PaymentID       string  `json:"paymentId"`
	PaymentIntentID string  `json:"paymentIntentId,omitempty"`
	BookingID       string  `json:"bookingId"`
	BusinessID      string  `json:"businessId"`
	ClientID        string  `json:"clientId"`
	Amount          float64 `json:"amount"`
	Currency        string  `json:"currency"`
	FailureReason   string  `json:"failureReason"`
	FailureMessage  string  `json:"failureMessage,omitempty"`
}

// PaymentRefunded is the data of payment.refunded.
type PaymentRefunded struct {
	PaymentID  string  `json:"paymentId"`
	RefundID   string  `json:"refundId"`
	BookingID  string  `json:"bookingId"`
	BusinessID string  `json:"businessId"`
	ClientID   string  `json:"clientId"`
	Amount     float64 `json:"amount"`
	Currency   string  `json:"currency"`
	Reason     string  `json:"reason,omitempty"`
}

// NotificationSent is the data of notification.sent.
type NotificationSent struct {
	NotificationID string `json:"notificationId"`
	RecipientID    string `json:"recipientId"`
	Type           string `json:"type"`    // e.g. "booking_confirmation"
	Channel        string `json:"channel"` // e.g. "email"
	Status         string `json:"status"`  // "sent"
}

// NotificationFailed is the data of notification.failed.
type NotificationFailed struct {
	NotificationID string `json:"notificationId"`
	RecipientID    string `json:"recipientId"`
	Type           string `json:"type"`
	Channel        string `json:"channel"`
	Status         string `json:"status"` // e.g. "failed"
	Error          string `json:"error,omitempty"`
}

// DLQFailedEvent is the data of dlq.failed_event (the seed's dead letter
// payload). OriginalEvent is the failed envelope as received, or a JSON
// string holding its bytes when they were not JSON.
type DLQFailedEvent struct {
	OriginalEvent json.RawMessage `json:"originalEvent"`
	Error         string          `json:"error"`
	Timestamp     time.Time       `json:"timestamp"`
	RetryCount    int             `json:"retryCount"`
	Consumer      string          `json:"consumer,omitempty"`
	Subject       string          `json:"subject,omitempty"`
}

// EventType methods: each payload names its event type.

func (UserCreated) EventType() string         { return TypeUserCreated }
func (UserUpdated) EventType() string         { return TypeUserUpdated }
func (UserDeleted) EventType() string         { return TypeUserDeleted }
func (BusinessCreated) EventType() string     { return TypeBusinessCreated }
func (BusinessUpdated) EventType() string     { return TypeBusinessUpdated }
func (ServiceCreated) EventType() string      { return TypeServiceCreated }
func (ServiceUpdated) EventType() string      { return TypeServiceUpdated }
func (ServiceDeleted) EventType() string      { return TypeServiceDeleted }
func (StaffCreated) EventType() string        { return TypeStaffCreated }
func (StaffUpdated) EventType() string        { return TypeStaffUpdated }
func (StaffDeleted) EventType() string        { return TypeStaffDeleted }
func (AvailabilityUpdated) EventType() string { return TypeAvailabilityUpdated }
func (BookingCreated) EventType() string      { return TypeBookingCreated }
func (BookingConfirmed) EventType() string    { return TypeBookingConfirmed }
func (BookingCancelled) EventType() string    { return TypeBookingCancelled }
func (BookingRescheduled) EventType() string  { return TypeBookingRescheduled }
func (BookingExpired) EventType() string      { return TypeBookingExpired }
func (PaymentSucceeded) EventType() string    { return TypePaymentSucceeded }
func (PaymentFailed) EventType() string       { return TypePaymentFailed }
func (PaymentRefunded) EventType() string     { return TypePaymentRefunded }
func (NotificationSent) EventType() string    { return TypeNotificationSent }
func (NotificationFailed) EventType() string  { return TypeNotificationFailed }
func (DLQFailedEvent) EventType() string      { return TypeDLQFailedEvent }
