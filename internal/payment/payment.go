package payment

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/event"
)

// Sentinel errors of the stores and the use cases; match with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("already exists")
	// ErrTransition is a state change the payment's status does not allow.
	ErrTransition = errors.New("status does not allow this")
)

// Status is a payment's state.
type Status string

// The statuses. A payment starts in requires_payment and stays there
// through declined attempts (each keeps its reason in FailureReason), so
// the client may try again while the booking's hold lasts. It succeeds
// once; it is canceled, unpaid, when its booking is cancelled or expires
// (a late success after that is still accepted, the provider having the
// last word, and refunded). A succeeded payment is refunded in full or in
// part.
const (
	StatusRequiresPayment   Status = "requires_payment"
	StatusSucceeded         Status = "succeeded"
	StatusCanceled          Status = "canceled"
	StatusRefunded          Status = "refunded"
	StatusPartiallyRefunded Status = "partially_refunded"
)

// StatusFailed was the status of a declined payment.
//
// Deprecated: a declined attempt leaves the payment in
// StatusRequiresPayment with its FailureReason (migration 00002 moved the
// rows); no payment is in this status any more.
const StatusFailed Status = "failed"

// Payment is the payment of one booking. Amounts are minor units of
// Currency.
type Payment struct {
	ID         string
	BookingID  string
	BusinessID string
	ClientID   string
	Amount     int64
	Currency   string
	// Provider names the provider ("sandbox", "stripe"); ProviderRef is
	// its intent id (the one that was charged, once succeeded),
	// ClientSecret (Stripe) or PayURL (sandbox) what the client pays with.
	Provider     string
	ProviderRef  string
	ClientSecret string
	PayURL       string
	// CheckoutRef is the provider's hosted checkout page opened last
	// (Stripe Checkout Session id), if any.
	CheckoutRef string
	Status      Status
	Method      string
	// FailureReason is the last declined attempt's reason (a code such as
	// "card_declined"; FailureMessage puts it in words), kept while the
	// payment waits for another attempt and after it is canceled.
	FailureReason string
	// Refunded is the amount refunded so far.
	Refunded int64
	// CorrelationID is the booking chain's correlation id (from
	// booking.created), carried by every event of this payment.
	CorrelationID string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// NewPaymentID returns a fresh payment id: unguessable (80 random bits),
// since the sandbox's pay link is addressed by it.
func NewPaymentID() string { return "pay_" + strings.TrimPrefix(event.NewID(), "evt_") }

// NewRefundID returns a fresh refund id.
func NewRefundID() string { return "rfd_" + strings.TrimPrefix(event.NewID(), "evt_") }

// Payable reports whether the payment waits for an attempt to pay.
func (p Payment) Payable() bool { return p.Status == StatusRequiresPayment }

// Paid reports whether the payment went through (refunds since included).
func (p Payment) Paid() bool {
	return p.Status == StatusSucceeded || p.Status == StatusPartiallyRefunded || p.Status == StatusRefunded
}

// Succeed records the provider's success. It reports false when the
// payment had already succeeded (or been refunded): a duplicate outcome
// that must have no effect. A canceled payment may still succeed (the
// provider took the money after the booking closed): the caller refunds
// it.
func (p *Payment) Succeed(method string, now time.Time) bool {
	switch p.Status {
	case StatusRequiresPayment, StatusCanceled:
		p.Status, p.Method, p.FailureReason, p.UpdatedAt = StatusSucceeded, method, "", now
		return true
	}
	return false
}

// Fail records a declined attempt: the payment keeps waiting for payment,
// with reason as its FailureReason. It reports false unless the payment
// was waiting for payment (a failure after a success or a cancellation is
// stale).
func (p *Payment) Fail(reason string, now time.Time) bool {
	if !p.Payable() {
		return false
	}
	p.FailureReason, p.UpdatedAt = reason, now
	return true
}

// Cancel closes an unpaid payment whose booking was cancelled or expired;
// it reports false unless the payment was waiting for payment. Its
// FailureReason stays, for display.
func (p *Payment) Cancel(now time.Time) bool {
	if !p.Payable() {
		return false
	}
	p.Status, p.UpdatedAt = StatusCanceled, now
	return true
}

// Refundable is what may still be refunded.
func (p Payment) Refundable() int64 {
	if p.Status != StatusSucceeded && p.Status != StatusPartiallyRefunded {
		return 0
	}
	return p.Amount - p.Refunded
}

// Refund records a refund of amount.
func (p *Payment) Refund(amount int64, now time.Time) error {
	if amount <= 0 || amount > p.Refundable() {
		return fmt.Errorf("%w: refund %d of payment %s (%s, %d refundable)", ErrTransition, amount, p.ID, p.Status, p.Refundable())
	}
	p.Refunded += amount
	p.Status, p.UpdatedAt = StatusPartiallyRefunded, now
	if p.Refunded == p.Amount {
		p.Status = StatusRefunded
	}
	return nil
}

// Refund is one refund of a payment.
type Refund struct {
	ID          string
	PaymentID   string
	ProviderRef string
	Amount      int64
	Currency    string
	Reason      string
	CreatedAt   time.Time
}

// BookingState is the payment service's view of a booking's life.
type BookingState string

// The booking states the payment service cares about.
const (
	BookingOpen      BookingState = "open"
	BookingCancelled BookingState = "cancelled"
	BookingExpired   BookingState = "expired"
)

// Booking is the payment service's projection of a booking (from
// booking.created, booking.cancelled and booking.expired).
type Booking struct {
	ID              string
	BusinessID      string
	ClientID        string
	StartTime       time.Time
	ManageTokenHash string
	State           BookingState
	// ClosedAt is the time of the cancellation or expiry event.
	ClosedAt  time.Time
	UpdatedAt time.Time
}
