// Package stripe is the payment provider on Stripe, through the official
// stripe-go client: PaymentIntents opened, Checkout Sessions opened and
// expired, intents canceled and refunds made with idempotency keys, the
// API base URL configurable (stripe-mock in tests), and webhooks verified
// with stripe-go's webhook package (signing secret, timestamp tolerance)
// and decoded into payment outcomes.
package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/slotwise/slotwise/internal/payment"
)

// Name is the provider's name.
const Name = "stripe"

// Config configures the provider.
type Config struct {
	// SecretKey is the API key (sk_test_… / sk_live_…); required.
	SecretKey string
	// WebhookSecret is the webhook endpoint's signing secret (whsec_…);
	// required.
	WebhookSecret string
	// APIURL replaces https://api.stripe.com (e.g. stripe-mock's
	// http://127.0.0.1:12111); empty for Stripe itself.
	APIURL string
	// Tolerance is the oldest webhook signature accepted (default 5 min).
	Tolerance time.Duration
	// HTTPClient makes the API calls (default: stripe-go's).
	HTTPClient *http.Client
}

// Provider is the Stripe payment.Provider.
type Provider struct {
	client *stripego.Client
	cfg    Config
}

var _ payment.Provider = (*Provider)(nil)

// New returns the provider of cfg.
func New(cfg Config) (*Provider, error) {
	if cfg.SecretKey == "" {
		return nil, errors.New("stripe: a secret key is required")
	}
	if cfg.WebhookSecret == "" {
		return nil, errors.New("stripe: a webhook signing secret is required")
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = 5 * time.Minute
	}
	bc := &stripego.BackendConfig{
		HTTPClient:        cfg.HTTPClient,
		LeveledLogger:     &stripego.LeveledLogger{Level: stripego.LevelNull},
		MaxNetworkRetries: stripego.Int64(2),
	}
	if cfg.APIURL != "" {
		bc.URL = stripego.String(strings.TrimRight(cfg.APIURL, "/"))
	}
	client := stripego.NewClient(cfg.SecretKey, stripego.WithBackends(stripego.NewBackendsWithConfig(bc)))
	return &Provider{client: client, cfg: cfg}, nil
}

// Name returns "stripe".
func (*Provider) Name() string { return Name }

// CreateIntent opens a PaymentIntent for p; Stripe answers a repeated key
// with the intent it opened the first time.
func (pr *Provider) CreateIntent(ctx context.Context, p payment.Payment, idempotencyKey string) (payment.Intent, error) {
	params := &stripego.PaymentIntentCreateParams{
		Amount:                  stripego.Int64(p.Amount),
		Currency:                stripego.String(strings.ToLower(p.Currency)),
		AutomaticPaymentMethods: &stripego.PaymentIntentCreateAutomaticPaymentMethodsParams{Enabled: stripego.Bool(true)},
	}
	params.AddMetadata("payment_id", p.ID)
	params.AddMetadata("booking_id", p.BookingID)
	params.SetIdempotencyKey(idempotencyKey)
	pi, err := pr.client.V1PaymentIntents.Create(ctx, params)
	if err != nil {
		return payment.Intent{}, fmt.Errorf("stripe: create payment intent: %w", err)
	}
	return payment.Intent{Ref: pi.ID, ClientSecret: pi.ClientSecret}, nil
}

// Refund refunds amount of p's PaymentIntent.
func (pr *Provider) Refund(ctx context.Context, p payment.Payment, amount int64, idempotencyKey string) (string, error) {
	params := &stripego.RefundCreateParams{PaymentIntent: stripego.String(p.ProviderRef), Amount: stripego.Int64(amount)}
	params.AddMetadata("payment_id", p.ID)
	params.SetIdempotencyKey(idempotencyKey)
	r, err := pr.client.V1Refunds.Create(ctx, params)
	if err != nil {
		return "", fmt.Errorf("stripe: refund %s: %w", p.ProviderRef, err)
	}
	return r.ID, nil
}
