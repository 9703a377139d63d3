package payment

import (
	"context"
	"errors"
)

// Provider takes payments: it opens an intent for a payment, refunds, and
// turns its webhook deliveries into outcomes. Calls with the same
// idempotency key have one effect at the provider.
type Provider interface {
	// Name is the provider's name as stored on payments ("sandbox").
	Name() string
	// CreateIntent opens the provider's payment for p.
	CreateIntent(ctx context.Context, p Payment, idempotencyKey string) (Intent, error)
	// Refund refunds amount (minor units) of p and returns the provider's
	// refund id.
	Refund(ctx context.Context, p Payment, amount int64, idempotencyKey string) (string, error)
	// ParseWebhook verifies and decodes one webhook delivery (payload and
	// signature header); ErrBadWebhook (wrapped) when it is not authentic
	// or not well-formed, ErrNoWebhooks for a provider without webhooks.
	ParseWebhook(payload []byte, signature string) (Notification, error)
}

// Webhook errors.
var (
	ErrBadWebhook = errors.New("webhook rejected")
	ErrNoWebhooks = errors.New("provider has no webhooks")
)

// Intent is what a provider opened for a payment.
type Intent struct {
	Ref          string // the provider's intent id
	ClientSecret string // for the provider's client-side SDK (Stripe)
	PayURL       string // a page or endpoint to pay at (sandbox)
}

// OutcomeKind is what a provider says happened.
type OutcomeKind string

// The outcome kinds.
const (
	OutcomeSucceeded OutcomeKind = "succeeded"
	OutcomeFailed    OutcomeKind = "failed"
	OutcomeRefunded  OutcomeKind = "refunded"
)

// Outcome is a provider's word about a payment, found by PaymentID or, when
// that is empty, by the provider's intent id ProviderRef.
type Outcome struct {
	Kind          OutcomeKind
	PaymentID     string
	ProviderRef   string
	Method        string // succeeded: e.g. "card"
	FailureReason string // failed
	// RefundRef and RefundedTotal (minor units, all refunds so far)
	// describe a refund.
	RefundRef     string
	RefundedTotal int64
}

// Notification is one verified webhook delivery: the provider's event id
// (for replay detection) and, when the event matters to us, its outcome.
type Notification struct {
	EventID  string
	Relevant bool
	Outcome  Outcome
}

// IntentKey is the idempotency key of a booking's intent: a redelivered
// booking.created can never open a second one.
func IntentKey(bookingID string) string { return "slotwise-intent-" + bookingID }
