package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/payment/stripe/stripetest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestStripeCheckoutFromTheManagePage: with the stripe provider (against
// stripe-mock), the pay button leads to a Checkout Session; back on the
// success URL the page says the payment is being confirmed and reloads
// itself until Stripe's webhook has confirmed the booking.
func TestStripeCheckoutFromTheManagePage(t *testing.T) {
	mock := stripetest.MockURL(t)
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		s := startStudio(t, engine, func(c *app.Config) {
			c.Payment.Provider, c.Payment.StripeAPIURL = "stripe", mock
			c.Payment.StripeSecretKey, c.Payment.StripeWebhookSecret = stripetest.SecretKey, stripetest.WebhookSecret
		})
		manage := s.book(t, s.paidID, "Ada Payer")
		var page *answer
		apptest.WaitFor(t, "the pay button", func() bool {
			page = s.web.get(t, manage)
			return page.has(`action="` + manage + `/pay"`)
		})
		page.want(t, 200, "Pay €50.00", "Stripe")
		if page.has(`name="card"`) || page.has("Test cards") {
			t.Error("a card field with a hosted checkout")
		}
		if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://checkout.stripe.com") {
			t.Errorf("CSP %q does not let the form lead to Checkout", csp)
		}

		res := s.web.submit(t, page, manage+"/pay", nil)
		res.want(t, http.StatusSeeOther)
		to, err := url.Parse(res.header.Get("Location"))
		if err != nil || to.Scheme != "https" || strings.HasPrefix(res.header.Get("Location"), s.h.BaseURL) {
			t.Fatalf("pay answered Location %q, want the Checkout Session's URL", res.header.Get("Location"))
		}

		back := manage + "?paid=1&tz=Europe%2FBerlin" // the success URL
		waiting := s.web.get(t, back)
		waiting.want(t, 200, "Payment received — confirming…", `<meta http-equiv="refresh" content="3">`, "Awaiting payment")

		paymentID := onlyPayment(t, s)
		paid := stripetest.Event(t, "evt_paid_"+paymentID, "checkout.session.completed", obj{"id": "cs_test_web", "object": "checkout.session",
			"payment_status": "paid", "payment_intent": "pi_web_" + paymentID, "client_reference_id": paymentID})
		hook, err := http.NewRequest(http.MethodPost, s.h.BaseURL+"/api/v1/payments/webhooks/stripe", strings.NewReader(string(paid)))
		if err != nil {
			t.Fatal(err)
		}
		hook.Header.Set("Stripe-Signature", stripetest.Sign(paid, stripetest.WebhookSecret, time.Now()))
		s.web.do(t, hook).want(t, http.StatusOK)

		var done *answer
		apptest.WaitFor(t, "the booking to be confirmed", func() bool {
			done = s.web.get(t, back)
			return done.has(">Confirmed<")
		})
		done.want(t, 200, "Thank you — your payment was received.", "Paid €50.00.")
		if done.has("http-equiv") {
			t.Error("the confirmed page still refreshes itself")
		}
	})
}

// onlyPayment returns the id of the one payment in the App's payment
// database.
func onlyPayment(t *testing.T, s *studio) string {
	t.Helper()
	var id string
	db := s.h.OpenDB(t, "payment")
	if err := db.QueryRowContext(context.Background(), "SELECT id FROM payments").Scan(&id); err != nil {
		t.Fatalf("the payment: %v", err)
	}
	return id
}
