// Package sandbox is the payment provider that behaves like Stripe's test
// mode without a network: intents and refunds are made up locally (their
// ids derived from the idempotency keys, so a repeated call returns the
// same one) and the client pays at the payment's sandbox pay endpoint with
// a test card (see payment.SandboxCharge). It has no webhooks: the pay
// endpoint hands its outcome to payment.Service.ApplyOutcome itself.
package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/slotwise/slotwise/internal/payment"
)

// Name is the provider's name.
const Name = "sandbox"

// PayPath is the pay endpoint of a payment id ("{paymentId}" in the
// route).
func PayPath(paymentID string) string { return "/api/v1/payments/sandbox/" + paymentID + "/pay" }

// Provider is the sandbox payment.Provider.
type Provider struct{}

var _ payment.Provider = Provider{}

// Name returns "sandbox".
func (Provider) Name() string { return Name }

// CreateIntent returns an intent whose id follows from the key and whose
// pay URL is the payment's sandbox pay endpoint.
func (Provider) CreateIntent(_ context.Context, p payment.Payment, idempotencyKey string) (payment.Intent, error) {
	return payment.Intent{Ref: "pi_sandbox_" + digest(idempotencyKey), PayURL: PayPath(p.ID)}, nil
}

// Refund returns a refund id that follows from the key.
func (Provider) Refund(_ context.Context, _ payment.Payment, _ int64, idempotencyKey string) (string, error) {
	return "re_sandbox_" + digest(idempotencyKey), nil
}

// ParseWebhook returns payment.ErrNoWebhooks.
func (Provider) ParseWebhook([]byte, string) (payment.Notification, error) {
	return payment.Notification{}, payment.ErrNoWebhooks
}

func digest(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}
