package payment_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/payment/sandbox"
	"github.com/slotwise/slotwise/internal/payment/sqlstore"
	"github.com/slotwise/slotwise/internal/payment/stripe"
	"github.com/slotwise/slotwise/internal/payment/stripe/stripetest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// stripeCalls records the requests the provider sends to stripe-mock.
type stripeCalls struct {
	mu    sync.Mutex
	calls []string // "path form-key=value…"
}

func (c *stripeCalls) RoundTrip(req *http.Request) (*http.Response, error) {
	call := req.URL.Path
	if req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			r2 := &http.Request{Method: "POST", Header: req.Header, Body: body}
			if r2.ParseForm() == nil {
				call += " " + r2.PostForm.Encode()
			}
		}
	}
	c.mu.Lock()
	c.calls = append(c.calls, call)
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// since returns the calls after the first n, and their count.
func (c *stripeCalls) since(n int) ([]string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.calls[n:]...), len(c.calls)
}

// fixture is a payment Service on a fresh database with the real outbox.
type fixture struct {
	svc *payment.Service
	db  *sqldb.DB
	now time.Time
}

func newFixture(t *testing.T, engine sqldb.Engine, provider payment.Provider) fixture {
	t.Helper()
	return newFixtureWith(t, engine, provider, payment.RefundPolicy{})
}

// newFixtureWith is newFixture with a refund policy (zero: the default).
func newFixtureWith(t *testing.T, engine sqldb.Engine, provider payment.Provider, policy payment.RefundPolicy) fixture {
	t.Helper()
	ctx := context.Background()
	db := sqldbtest.Open(t, engine)
	if err := stores.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, "payment", sqlstore.Migrations(engine)); err != nil {
		t.Fatal(err)
	}
	f := fixture{db: db, now: time.Date(2030, 1, 6, 7, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	outbox := eventbus.NewOutbox(db, stores.Outbox(db), "payment", catalog.Default(), eventbus.OutboxOptions{Clock: clock})
	svc, err := payment.NewService(sqlstore.New(db), outbox, payment.Options{Provider: provider, Now: clock, Policy: policy})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	return f
}

// book opens a paid booking of 50 EUR and returns its id and manage token.
func (f fixture) book(t *testing.T) (string, string) {
	t.Helper()
	id := "booking_" + strings.TrimPrefix(event.NewID(), "evt_")
	token := "tok_" + id
	sum := sha256.Sum256([]byte(token))
	err := f.svc.ApplyBookingCreated(context.Background(), event.BookingCreated{
		BookingID: id, BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "guest_1", StartTime: f.now.Add(48 * time.Hour),
		EndTime: f.now.Add(49 * time.Hour), TotalAmount: 50, Currency: "EUR", RequiresPayment: true, Status: "pending",
		ManageTokenHash: hex.EncodeToString(sum[:]),
	})
	if err != nil {
		t.Fatal(err)
	}
	return id, token
}

func (f fixture) payment(t *testing.T, bookingID, token string) payment.Payment {
	t.Helper()
	p, err := f.svc.PaymentOfBooking(context.Background(), payment.Caller{Token: token}, bookingID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// events returns the types and data of the payment's recorded events.
func (f fixture) events(t *testing.T, paymentID string) ([]string, []json.RawMessage) {
	t.Helper()
	rows, err := f.db.Query(context.Background(), `SELECT event_type, event_data FROM outbox_events WHERE aggregate_id = ? ORDER BY seq`, paymentID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var types []string
	var data []json.RawMessage
	for rows.Next() {
		var typ string
		var raw []byte
		if err := rows.Scan(&typ, &raw); err != nil {
			t.Fatal(err)
		}
		types, data = append(types, typ), append(data, raw)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return types, data
}

// webhook delivers a signed Stripe event to the service.
func (f fixture) webhook(t *testing.T, id, typ string, object map[string]any) {
	t.Helper()
	payload := stripetest.Event(t, id, typ, object)
	if err := f.svc.HandleWebhook(context.Background(), stripe.Name, payload, stripetest.Sign(payload, stripetest.WebhookSecret, time.Now())); err != nil {
		t.Fatalf("webhook %s: %v", typ, err)
	}
}

var page = payment.CheckoutPage{SuccessURL: "https://book.example/m/tok?paid=1", CancelURL: "https://book.example/m/tok", Description: "Intro"}

// TestStripeCheckout: with the stripe provider (stripe-mock), a client
// opens Checkout for a booking's payment and pays there; the webhooks find
// the payment by the metadata Checkout carries, and the charged intent
// becomes the payment's. A decline leaves the payment payable; the
// booking's expiry closes it and its Checkout page, refuses a new one, and
// a payment taken all the same is refunded. A second charge of a paid
// payment is refunded.
func TestStripeCheckout(t *testing.T) {
	mock := stripetest.MockURL(t)
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		calls := &stripeCalls{}
		pr, err := stripe.New(stripe.Config{SecretKey: stripetest.SecretKey, WebhookSecret: stripetest.WebhookSecret, APIURL: mock,
			HTTPClient: &http.Client{Transport: calls, Timeout: 10 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		f := newFixture(t, engine, pr)
		t.Run("pay_through_checkout", func(t *testing.T) { checkoutPaid(t, f, calls) })
		t.Run("decline_then_expiry_closes", func(t *testing.T) { checkoutExpired(t, f, calls) })
		t.Run("refused_requests", func(t *testing.T) { checkoutRefused(t, f) })
	})
}

func checkoutPaid(t *testing.T, f fixture, calls *stripeCalls) {
	ctx := context.Background()
	id, token := f.book(t)
	p := f.payment(t, id, token)
	_, n := calls.since(0)
	to, err := f.svc.StartCheckout(ctx, payment.Caller{Token: token}, id, page)
	if err != nil || !strings.HasPrefix(to, "https://checkout.stripe.com/") {
		t.Fatalf("StartCheckout = %q, %v", to, err)
	}
	first := f.payment(t, id, token).CheckoutRef
	got, n := calls.since(n)
	if len(got) != 1 || !strings.HasPrefix(got[0], "/v1/checkout/sessions ") || !strings.Contains(got[0], "success_url="+url.QueryEscape(page.SuccessURL)) ||
		!strings.HasPrefix(first, "cs_") {
		t.Fatalf("calls %v, checkout ref %q", got, first)
	}
	// Again (the client came back and pressed Pay once more): a new page,
	// the first one expired.
	if _, err := f.svc.StartCheckout(ctx, payment.Caller{Token: token}, id, page); err != nil {
		t.Fatal(err)
	}
	got, n = calls.since(n)
	if len(got) != 2 || !strings.HasPrefix(got[1], "/v1/checkout/sessions/"+first+"/expire") {
		t.Fatalf("second checkout: calls %v", got)
	}
	f.webhook(t, "evt_paid_"+id, "checkout.session.completed", map[string]any{"id": "cs_x", "object": "checkout.session",
		"payment_status": "paid", "payment_intent": "pi_co_" + id, "metadata": map[string]any{"payment_id": p.ID}})
	paid := f.payment(t, id, token)
	if paid.Status != payment.StatusSucceeded || paid.ProviderRef != "pi_co_"+id {
		t.Fatalf("after checkout.session.completed: %+v", paid)
	}
	// Its PaymentIntent's own success: the same payment, nothing new.
	f.webhook(t, "evt_pi_"+id, "payment_intent.succeeded", map[string]any{"id": "pi_co_" + id, "metadata": map[string]any{"payment_id": p.ID}})
	types, data := f.events(t, p.ID)
	if strings.Join(types, ",") != event.TypePaymentSucceeded {
		t.Fatalf("events %v, want one payment.succeeded", types)
	}
	var d event.PaymentSucceeded
	if err := json.Unmarshal(data[0], &d); err != nil || d.PaymentIntentID != "pi_co_"+id || d.Amount != 50 {
		t.Errorf("payment.succeeded = %+v, %v", d, err)
	}
	_, err = f.svc.StartCheckout(ctx, payment.Caller{Token: token}, id, page)
	if ae := apperr.As(err); ae == nil || ae.Code != apperr.Conflict || ae.Reason != "payment_not_payable" || ae.Message != "This booking is already paid." {
		t.Errorf("checkout of a paid payment: %v", err)
	}
	// Paid a second time (on the API's intent): that charge is refunded in
	// full, the payment stays as it was.
	_, n = calls.since(0)
	f.webhook(t, "evt_twice_"+id, "payment_intent.succeeded", map[string]any{"id": p.ProviderRef, "metadata": map[string]any{"payment_id": p.ID}})
	got, _ = calls.since(n)
	if len(got) != 1 || !strings.HasPrefix(got[0], "/v1/refunds ") || !strings.Contains(got[0], "payment_intent="+p.ProviderRef) ||
		!strings.Contains(got[0], "amount=5000") {
		t.Errorf("second charge: calls %v, want its refund", got)
	}
	if again := f.payment(t, id, token); again.Status != payment.StatusSucceeded || again.Refunded != 0 || again.ProviderRef != "pi_co_"+id {
		t.Errorf("after the second charge: %+v", again)
	}
	if types, _ := f.events(t, p.ID); len(types) != 1 {
		t.Errorf("events %v after the second charge", types)
	}
}

func checkoutExpired(t *testing.T, f fixture, calls *stripeCalls) {
	ctx := context.Background()
	id, token := f.book(t)
	p := f.payment(t, id, token)
	if _, err := f.svc.StartCheckout(ctx, payment.Caller{Token: token}, id, page); err != nil {
		t.Fatal(err)
	}
	cs := f.payment(t, id, token).CheckoutRef
	f.webhook(t, "evt_decl_"+id, "payment_intent.payment_failed", map[string]any{"id": "pi_co_" + id,
		"metadata": map[string]any{"payment_id": p.ID}, "last_payment_error": map[string]any{"code": "card_declined", "decline_code": "insufficient_funds"}})
	if got := f.payment(t, id, token); !got.Payable() || got.FailureReason != "insufficient_funds" {
		t.Fatalf("after a decline: %+v", got)
	}
	_, n := calls.since(0)
	closure := payment.Closure{BookingID: id, BusinessID: "biz_1", ClientID: "guest_1", StartTime: f.now.Add(48 * time.Hour),
		State: payment.BookingExpired, At: f.now}
	for range 2 { // redelivered: no second effect
		if err := f.svc.ApplyBookingClosed(ctx, closure); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := calls.since(n)
	if strings.Join(trimForms(got), " ") != "/v1/checkout/sessions/"+cs+"/expire /v1/payment_intents/"+p.ProviderRef+"/cancel" {
		t.Errorf("closing calls %v", got)
	}
	closed := f.payment(t, id, token)
	if closed.Status != payment.StatusCanceled || closed.FailureReason != "insufficient_funds" {
		t.Fatalf("after expiry: %+v", closed)
	}
	_, err := f.svc.StartCheckout(ctx, payment.Caller{Token: token}, id, page)
	if ae := apperr.As(err); ae == nil || ae.Code != apperr.Conflict ||
		ae.Message != "This booking is no longer awaiting payment. The time to pay for it ran out." {
		t.Errorf("checkout after expiry: %v", err)
	}
	// The client paid on the page all the same, before it expired.
	f.webhook(t, "evt_late_"+id, "checkout.session.completed", map[string]any{"id": cs, "payment_status": "paid",
		"payment_intent": "pi_co_" + id, "client_reference_id": p.ID})
	if got := f.payment(t, id, token); got.Status != payment.StatusRefunded || got.Refunded != 5000 {
		t.Errorf("late payment: %+v", got)
	}
	types, data := f.events(t, p.ID)
	want := []string{event.TypePaymentFailed, event.TypePaymentSucceeded, event.TypePaymentRefunded}
	if strings.Join(types, ",") != strings.Join(want, ",") {
		t.Fatalf("events %v, want %v", types, want)
	}
	var fd event.PaymentFailed
	if err := json.Unmarshal(data[0], &fd); err != nil || fd.FailureReason != "insufficient_funds" ||
		fd.FailureMessage != "Your card has insufficient funds." || fd.PaymentIntentID != "pi_co_"+id {
		t.Errorf("payment.failed = %+v, %v", fd, err)
	}
	var rd event.PaymentRefunded
	if err := json.Unmarshal(data[2], &rd); err != nil || rd.Reason != "paid_after_booking_expired" || rd.Amount != 50 {
		t.Errorf("payment.refunded = %+v, %v", rd, err)
	}
}

func checkoutRefused(t *testing.T, f fixture) {
	ctx := context.Background()
	id, token := f.book(t)
	tests := []struct {
		name  string
		c     payment.Caller
		page  payment.CheckoutPage
		code  apperr.Code
		field string
	}{
		{"no credentials", payment.Caller{}, page, apperr.Unauthenticated, ""},
		{"wrong token", payment.Caller{Token: token + "x"}, page, apperr.NotFound, ""},
		{"another client", payment.Caller{UserID: "user_other"}, page, apperr.NotFound, ""},
		{"relative success url", payment.Caller{Token: token}, payment.CheckoutPage{SuccessURL: "/m/tok", CancelURL: page.CancelURL}, apperr.Invalid, "successUrl"},
		{"cancel url of another scheme", payment.Caller{Token: token}, payment.CheckoutPage{SuccessURL: page.SuccessURL, CancelURL: "javascript:alert(1)"}, apperr.Invalid, "cancelUrl"},
	}
	for _, tt := range tests {
		_, err := f.svc.StartCheckout(ctx, tt.c, id, tt.page)
		if ae := apperr.As(err); ae == nil || ae.Code != tt.code || ae.Field != tt.field {
			t.Errorf("%s: %v, want %s naming %q", tt.name, err, tt.code, tt.field)
		}
	}
	if _, err := f.svc.StartCheckout(ctx, payment.Caller{Token: token}, "booking_nope", page); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("unknown booking: %v", err)
	}
	if p := f.payment(t, id, token); p.CheckoutRef != "" {
		t.Errorf("refused requests opened a checkout: %+v", p)
	}
}

// TestSandboxHasNoCheckout: the sandbox pays on the card form, not on a
// provider's page.
func TestSandboxHasNoCheckout(t *testing.T) {
	f := newFixture(t, sqldb.SQLite, sandbox.Provider{})
	id, token := f.book(t)
	_, err := f.svc.StartCheckout(context.Background(), payment.Caller{Token: token}, id, page)
	if apperr.CodeOf(err) != apperr.NotFound || errors.Is(err, payment.ErrNotFound) {
		t.Errorf("StartCheckout with the sandbox: %v, want not found", err)
	}
}

// trimForms drops the form of each call, keeping its path.
func trimForms(calls []string) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i], _, _ = strings.Cut(c, " ")
	}
	return out
}
