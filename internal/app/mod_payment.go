package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/payment"
	paymentconsumer "github.com/slotwise/slotwise/internal/payment/consumer"
	payhttp "github.com/slotwise/slotwise/internal/payment/httpapi"
	"github.com/slotwise/slotwise/internal/payment/sandbox"
	paysql "github.com/slotwise/slotwise/internal/payment/sqlstore"
	paystripe "github.com/slotwise/slotwise/internal/payment/stripe"
)

// PaymentConfig configures the payment service.
type PaymentConfig struct {
	// Provider is "sandbox" (the default: test cards, no network) or
	// "stripe".
	Provider string
	// StripeAPIURL replaces Stripe's API base URL (stripe-mock in tests);
	// empty for api.stripe.com.
	StripeAPIURL string
	// StripeSecretKey is the Stripe API key; StripeWebhookSecret the
	// webhook endpoint's signing secret. Both are required for "stripe".
	StripeSecretKey     string
	StripeWebhookSecret string
	// RefundWindow: a paid booking cancelled at least this long before its
	// start is refunded in full; a later cancellation gets
	// LateRefundPercent of the amount (default 0: nothing).
	RefundWindow      time.Duration
	LateRefundPercent int
}

func defaultPaymentConfig() PaymentConfig {
	return PaymentConfig{Provider: sandbox.Name, RefundWindow: payment.DefaultRefundWindow}
}

func (c Config) validatePayment() error {
	p := c.Payment
	switch p.Provider {
	case sandbox.Name:
	case paystripe.Name:
		if p.StripeSecretKey == "" || p.StripeWebhookSecret == "" {
			return errors.New("payment-provider stripe: stripe-secret-key and stripe-webhook-secret are required")
		}
	default:
		return fmt.Errorf("payment-provider: want sandbox or stripe, got %q", p.Provider)
	}
	if p.RefundWindow < 0 {
		return fmt.Errorf("refund-window: must not be negative, got %s", p.RefundWindow)
	}
	if p.LateRefundPercent < 0 || p.LateRefundPercent > 100 {
		return fmt.Errorf("late-refund-percent: must be between 0 and 100, got %d", p.LateRefundPercent)
	}
	return nil
}

// paymentModule wires the payment service into the module table.
var paymentModule = Module{
	Name:       "payment",
	Migrations: paysql.Migrations,
	OpenAPI:    payhttp.OpenAPI,
	New:        newPayment,
}

func newPayment(d Deps) (Instance, error) {
	provider, err := newPaymentProvider(d.Payment)
	if err != nil {
		return Instance{}, err
	}
	policy := payment.RefundPolicy{Window: d.Payment.RefundWindow, LatePercent: d.Payment.LateRefundPercent}
	svc, err := payment.NewService(paysql.New(d.DB), d.Outbox, payment.Options{
		Provider: provider, Now: d.Now, Logger: d.Logger, Policy: policy,
	})
	if err != nil {
		return Instance{}, err
	}
	d.Built.Payment = svc
	h := payhttp.New(svc, d.Logger)
	return Instance{
		Routes:        h.Routes,
		Subscriptions: []eventbus.Subscription{paymentconsumer.Bookings(svc), paymentconsumer.Owners(svc)},
	}, nil
}

func newPaymentProvider(c PaymentConfig) (payment.Provider, error) {
	if c.Provider == paystripe.Name {
		return paystripe.New(paystripe.Config{SecretKey: c.StripeSecretKey, WebhookSecret: c.StripeWebhookSecret, APIURL: c.StripeAPIURL})
	}
	return sandbox.Provider{}, nil
}
