package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/payment/stripe"
	"github.com/slotwise/slotwise/internal/payment/stripe/stripetest"
)

// recorder is an http.RoundTripper that keeps what the client sent.
type recorder struct {
	mu       sync.Mutex
	requests []sent
}

type sent struct {
	path, idempotencyKey string
	form                 url.Values
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	s := sent{path: req.URL.Path, idempotencyKey: req.Header.Get("Idempotency-Key")}
	if req.Body != nil && req.GetBody != nil {
		body, err := req.GetBody()
		if err == nil {
			r2 := &http.Request{Method: "POST", Header: req.Header, Body: body}
			if r2.ParseForm() == nil {
				s.form = r2.PostForm
			}
		}
	}
	r.mu.Lock()
	r.requests = append(r.requests, s)
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func newProvider(t *testing.T) (*stripe.Provider, *recorder) {
	t.Helper()
	rec := &recorder{}
	p, err := stripe.New(stripe.Config{
		SecretKey: stripetest.SecretKey, WebhookSecret: stripetest.WebhookSecret, APIURL: stripetest.MockURL(t),
		HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, rec
}

var pay = payment.Payment{ID: "pay_01TEST", BookingID: "booking_1", Amount: 15000, Currency: "EUR", ProviderRef: "pi_123"}

// TestIntentAgainstStripeMock: the intent is created at stripe-mock with
// the amount in minor units, and a repeated call sends the same
// idempotency key (Stripe then answers with the first intent).
func TestIntentAgainstStripeMock(t *testing.T) {
	p, rec := newProvider(t)
	key := payment.IntentKey(pay.BookingID)
	for range 2 {
		in, err := p.CreateIntent(context.Background(), pay, key)
		if err != nil {
			t.Fatalf("CreateIntent: %v", err)
		}
		if in.Ref == "" || in.ClientSecret == "" || in.PayURL != "" {
			t.Fatalf("intent = %+v", in)
		}
	}
	if len(rec.requests) != 2 {
		t.Fatalf("%d requests, want 2", len(rec.requests))
	}
	for _, r := range rec.requests {
		if r.path != "/v1/payment_intents" || r.idempotencyKey != key {
			t.Errorf("request %s with key %q, want /v1/payment_intents with %q", r.path, r.idempotencyKey, key)
		}
		if r.form.Get("amount") != "15000" || r.form.Get("currency") != "eur" || r.form.Get("metadata[payment_id]") != pay.ID {
			t.Errorf("form = %v", r.form)
		}
	}
}

func TestRefundAgainstStripeMock(t *testing.T) {
	p, rec := newProvider(t)
	ref, err := p.Refund(context.Background(), pay, 5000, "slotwise-refund-pay_01TEST-0")
	if err != nil || ref == "" {
		t.Fatalf("Refund = %q, %v", ref, err)
	}
	r := rec.requests[0]
	if r.path != "/v1/refunds" || r.idempotencyKey != "slotwise-refund-pay_01TEST-0" ||
		r.form.Get("amount") != "5000" || r.form.Get("payment_intent") != "pi_123" {
		t.Errorf("refund request = %+v", r)
	}
}

// TestCheckoutAgainstStripeMock: a Checkout Session in payment mode for
// the payment's amount, naming the payment (client_reference_id, the
// session's and its PaymentIntent's metadata), with the caller's return
// URLs and idempotency key; its URL is what the client is sent to.
func TestCheckoutAgainstStripeMock(t *testing.T) {
	p, rec := newProvider(t)
	page := payment.CheckoutPage{SuccessURL: "https://book.example/m/tok?paid=1", CancelURL: "https://book.example/m/tok",
		Description: "Haircut, Tue 8 Dec 10:00 CET", Email: "grace@example.com"}
	cs, err := p.CreateCheckout(context.Background(), pay, page, "slotwise-checkout-1")
	if err != nil {
		t.Fatalf("CreateCheckout: %v", err)
	}
	if !strings.HasPrefix(cs.Ref, "cs_") || !strings.HasPrefix(cs.URL, "https://") {
		t.Fatalf("session = %+v", cs)
	}
	r := rec.requests[0]
	want := map[string]string{
		"mode": "payment", "success_url": page.SuccessURL, "cancel_url": page.CancelURL, "client_reference_id": pay.ID,
		"customer_email": page.Email, "metadata[payment_id]": pay.ID, "payment_intent_data[metadata][payment_id]": pay.ID,
		"line_items[0][quantity]": "1", "line_items[0][price_data][unit_amount]": "15000",
		"line_items[0][price_data][currency]": "eur", "line_items[0][price_data][product_data][name]": page.Description,
	}
	if r.path != "/v1/checkout/sessions" || r.idempotencyKey != "slotwise-checkout-1" {
		t.Errorf("request %s with key %q", r.path, r.idempotencyKey)
	}
	for k, v := range want {
		if got := r.form.Get(k); got != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
}

// TestCloseAgainstStripeMock: closing a payment expires its Checkout
// Session and cancels its PaymentIntent; without a session, only the
// intent is canceled.
func TestCloseAgainstStripeMock(t *testing.T) {
	p, rec := newProvider(t)
	open := pay
	open.CheckoutRef = "cs_test_1"
	if err := p.Close(context.Background(), open); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := p.Close(context.Background(), pay); err != nil {
		t.Fatalf("Close without a session: %v", err)
	}
	var paths []string
	for _, r := range rec.requests {
		paths = append(paths, r.path)
	}
	want := "/v1/checkout/sessions/cs_test_1/expire /v1/payment_intents/pi_123/cancel /v1/payment_intents/pi_123/cancel"
	if got := strings.Join(paths, " "); got != want {
		t.Errorf("requests %s, want %s", got, want)
	}
	if got := rec.requests[1].form.Get("cancellation_reason"); got != "abandoned" {
		t.Errorf("cancellation_reason = %q", got)
	}
}

func TestStripeErrorsSurface(t *testing.T) {
	p, err := stripe.New(stripe.Config{SecretKey: "not_a_key", WebhookSecret: "whsec_x", APIURL: stripetest.MockURL(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.CreateIntent(context.Background(), pay, "k"); err == nil {
		t.Fatal("CreateIntent with a bad API key succeeded")
	}
	if _, err := p.Refund(context.Background(), pay, 1, "k"); err == nil {
		t.Fatal("Refund with a bad API key succeeded")
	}
	page := payment.CheckoutPage{SuccessURL: "https://x.example/ok", CancelURL: "https://x.example/back"}
	if _, err := p.CreateCheckout(context.Background(), pay, page, "k"); err == nil {
		t.Fatal("CreateCheckout with a bad API key succeeded")
	}
	closing := pay
	closing.CheckoutRef = "cs_test_1"
	if err := p.Close(context.Background(), closing); err == nil || !strings.Contains(err.Error(), "expire") || !strings.Contains(err.Error(), "cancel") {
		t.Fatalf("Close with a bad API key: %v, want both errors", err)
	}
}

func TestParseWebhook(t *testing.T) {
	p, err := stripe.New(stripe.Config{SecretKey: "sk_test_x", WebhookSecret: stripetest.WebhookSecret})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	succeeded := stripetest.Event(t, "evt_1", "payment_intent.succeeded", map[string]any{"id": "pi_1", "object": "payment_intent", "payment_method_types": []string{"card"}})
	failedEv := stripetest.Event(t, "evt_2", "payment_intent.payment_failed", map[string]any{"id": "pi_1", "last_payment_error": map[string]any{"code": "card_declined", "decline_code": "insufficient_funds"}})
	refunded := stripetest.Event(t, "evt_3", "charge.refunded", map[string]any{"id": "ch_1", "payment_intent": "pi_1", "amount_refunded": 700, "refunds": map[string]any{"data": []any{map[string]any{"id": "re_9"}}}})
	other := stripetest.Event(t, "evt_4", "customer.created", map[string]any{"id": "cus_1"})
	malformed := []byte(`{"id": "evt_5", "type": "payment_intent.succeeded", "data": {`)
	noIntent := stripetest.Event(t, "evt_6", "payment_intent.succeeded", map[string]any{"object": "payment_intent"})
	withMeta := stripetest.Event(t, "evt_7", "payment_intent.payment_failed", map[string]any{"id": "pi_2", "metadata": map[string]any{"payment_id": "pay_9"},
		"last_payment_error": map[string]any{"code": "expired_card"}})
	session := func(id, typ string, obj map[string]any) []byte {
		base := map[string]any{"id": "cs_1", "object": "checkout.session", "client_reference_id": "pay_9", "payment_intent": "pi_3"}
		for k, v := range obj {
			base[k] = v
		}
		return stripetest.Event(t, id, typ, base)
	}
	completed := session("evt_8", "checkout.session.completed", map[string]any{"payment_status": "paid", "metadata": map[string]any{"payment_id": "pay_9"}})
	completedUnpaid := session("evt_9", "checkout.session.completed", map[string]any{"payment_status": "unpaid"})
	asyncPaid := session("evt_10", "checkout.session.async_payment_succeeded", map[string]any{"payment_status": "paid", "payment_intent": map[string]any{"id": "pi_4"}, "payment_method_types": []string{"sepa_debit"}})
	asyncFailed := session("evt_11", "checkout.session.async_payment_failed", map[string]any{"payment_status": "unpaid"})
	notOurs := session("evt_12", "checkout.session.completed", map[string]any{"payment_status": "paid", "client_reference_id": nil})
	paidNoIntent := session("evt_13", "checkout.session.completed", map[string]any{"payment_status": "paid", "payment_intent": nil})
	tests := []struct {
		name    string
		payload []byte
		header  string
		want    payment.Notification
		bad     bool
	}{
		{"succeeded", succeeded, stripetest.Sign(succeeded, stripetest.WebhookSecret, now),
			payment.Notification{EventID: "evt_1", Relevant: true, Outcome: payment.Outcome{Kind: payment.OutcomeSucceeded, ProviderRef: "pi_1", Method: "card"}}, false},
		{"failed with decline code", failedEv, stripetest.Sign(failedEv, stripetest.WebhookSecret, now),
			payment.Notification{EventID: "evt_2", Relevant: true, Outcome: payment.Outcome{Kind: payment.OutcomeFailed, ProviderRef: "pi_1", FailureReason: "insufficient_funds"}}, false},
		{"charge refunded", refunded, stripetest.Sign(refunded, stripetest.WebhookSecret, now),
			payment.Notification{EventID: "evt_3", Relevant: true, Outcome: payment.Outcome{Kind: payment.OutcomeRefunded, ProviderRef: "pi_1", RefundRef: "re_9", RefundedTotal: 700}}, false},
		{"other type ignored", other, stripetest.Sign(other, stripetest.WebhookSecret, now), payment.Notification{EventID: "evt_4"}, false},
		{"missing signature", succeeded, "", payment.Notification{}, true},
		{"wrong secret", succeeded, stripetest.Sign(succeeded, "whsec_other", now), payment.Notification{}, true},
		{"expired timestamp", succeeded, stripetest.Sign(succeeded, stripetest.WebhookSecret, now.Add(-10*time.Minute)), payment.Notification{}, true},
		{"payload changed after signing", refunded, stripetest.Sign(succeeded, stripetest.WebhookSecret, now), payment.Notification{}, true},
		{"malformed json", malformed, stripetest.Sign(malformed, stripetest.WebhookSecret, now), payment.Notification{}, true},
		{"intent without id", noIntent, stripetest.Sign(noIntent, stripetest.WebhookSecret, now), payment.Notification{}, true},
		{"failed names its payment", withMeta, stripetest.Sign(withMeta, stripetest.WebhookSecret, now),
			payment.Notification{EventID: "evt_7", Relevant: true, Outcome: payment.Outcome{Kind: payment.OutcomeFailed, PaymentID: "pay_9", ProviderRef: "pi_2", FailureReason: "expired_card"}}, false},
		{"checkout completed and paid", completed, stripetest.Sign(completed, stripetest.WebhookSecret, now),
			payment.Notification{EventID: "evt_8", Relevant: true, Outcome: payment.Outcome{Kind: payment.OutcomeSucceeded, PaymentID: "pay_9", ProviderRef: "pi_3", Method: "card"}}, false},
		{"checkout completed, not paid yet", completedUnpaid, stripetest.Sign(completedUnpaid, stripetest.WebhookSecret, now), payment.Notification{EventID: "evt_9"}, false},
		{"checkout paid later", asyncPaid, stripetest.Sign(asyncPaid, stripetest.WebhookSecret, now),
			payment.Notification{EventID: "evt_10", Relevant: true, Outcome: payment.Outcome{Kind: payment.OutcomeSucceeded, PaymentID: "pay_9", ProviderRef: "pi_4", Method: "sepa_debit"}}, false},
		{"checkout async failure left to its intent's event", asyncFailed, stripetest.Sign(asyncFailed, stripetest.WebhookSecret, now), payment.Notification{EventID: "evt_11"}, false},
		{"checkout of someone else", notOurs, stripetest.Sign(notOurs, stripetest.WebhookSecret, now), payment.Notification{EventID: "evt_12"}, false},
		{"paid checkout without intent", paidNoIntent, stripetest.Sign(paidNoIntent, stripetest.WebhookSecret, now), payment.Notification{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.ParseWebhook(tt.payload, tt.header)
			if tt.bad {
				if !errors.Is(err, payment.ErrBadWebhook) {
					t.Fatalf("err = %v, want ErrBadWebhook", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseWebhook = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
