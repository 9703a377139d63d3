// Package stripetest holds test helpers for the Stripe provider: the
// stripe-mock peer's URL from the environment, and webhook deliveries
// signed like Stripe's (stripe-go's webhook.GenerateTestSignedPayload).
//
// Test helpers only: nothing here is used by the program.
package stripetest

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
)

// Test credentials: stripe-mock accepts any sk_test_ key.
const (
	SecretKey     = "sk_test_slotwise"
	WebhookSecret = "whsec_slotwise_test"
)

// MockURL returns the URL of a running stripe-mock from
// SLOTWISE_TEST_STRIPE_MOCK_URL; without it the test is skipped, or fails
// when SLOTWISE_REQUIRE_STRIPE_MOCK=1 (CI).
func MockURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("SLOTWISE_TEST_STRIPE_MOCK_URL")
	if u == "" {
		if os.Getenv("SLOTWISE_REQUIRE_STRIPE_MOCK") == "1" {
			t.Fatal("SLOTWISE_REQUIRE_STRIPE_MOCK=1 but SLOTWISE_TEST_STRIPE_MOCK_URL is not set")
		}
		t.Skip("SLOTWISE_TEST_STRIPE_MOCK_URL not set (start stripe-mock and point it there)")
	}
	return u
}

// Event returns a Stripe event's JSON: id, type and data.object.
func Event(t testing.TB, id, eventType string, object map[string]any) []byte {
	t.Helper()
	raw, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": eventType, "api_version": stripego.APIVersion,
		"created": time.Now().Unix(), "livemode": false, "data": map[string]any{"object": object},
	})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Sign returns the Stripe-Signature header of payload signed with secret
// at the time at.
func Sign(payload []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}
