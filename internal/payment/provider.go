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

// HostedCheckout is a Provider whose client may pay on the provider's own
// page (Stripe Checkout) and come back: the outcome reaches the service by
// webhook, like every other.
type HostedCheckout interface {
	// CreateCheckout opens a hosted payment page for p and returns its id
	// and the URL to send the client to.
	CreateCheckout(ctx context.Context, p Payment, page CheckoutPage, idempotencyKey string) (CheckoutSession, error)
	// ExpireCheckout closes a hosted page opened before, so it can no
	// longer take a payment (an error when it already did).
	ExpireCheckout(ctx context.Context, ref string) error
}

// Closer is a Provider that can stop an unpaid payment from being taken
// once its booking is over (Stripe: cancel the PaymentIntent, expire the
// Checkout Session). Best effort: a payment that still succeeds is
// refunded.
type Closer interface {
	Close(ctx context.Context, p Payment) error
}

// CheckoutPage is what a hosted checkout needs from the caller.
type CheckoutPage struct {
	// SuccessURL and CancelURL are the absolute http(s) URLs the provider
	// sends the client back to after paying or giving up.
	SuccessURL, CancelURL string
	// Description names what is paid for on the provider's page, e.g.
	// "Haircut, Tue 8 Dec 2026 10:00 CET" (default "Booking").
	Description string
	// Email, when known, fills in the payer's e-mail address.
	Email string
}

// CheckoutSession is a hosted payment page the provider opened.
type CheckoutSession struct {
	Ref string // the provider's id (cs_…)
	URL string // where to send the client
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
// that is empty, by the provider's intent id ProviderRef. ProviderRef is
// the intent the outcome is about: with a hosted checkout, the provider
// charges an intent of its own, which a success records as the payment's.
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
