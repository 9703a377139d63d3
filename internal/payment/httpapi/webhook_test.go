package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/httpapi"
	"github.com/slotwise/slotwise/internal/payment/stripe/stripetest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

const webhookPath = "/api/v1/payments/webhooks/stripe"

// TestStripeWebhooks: the stripe provider against stripe-mock, its
// webhooks signed with the test secret: the security table changes
// nothing, a delivery repeated five times has one effect, and refunds
// (from Stripe's dashboard and from a cancellation) are recorded once.
func TestStripeWebhooks(t *testing.T) {
	mock := stripetest.MockURL(t)
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := start(t, engine, func(c *app.PaymentConfig) {
			c.Provider, c.StripeAPIURL = "stripe", mock
			c.StripeSecretKey, c.StripeWebhookSecret = stripetest.SecretKey, stripetest.WebhookSecret
		})
		w := hooks{t: t, h: h, db: h.OpenDB(t, "payment"), client: as(t, h, clientID, authn.RoleClient)}
		b, p := w.open(t)
		if p["provider"] != "stripe" || !strings.HasPrefix(p["clientSecret"].(string), "pi_") || p["payUrl"] != nil {
			t.Fatalf("payment = %v", p)
		}
		ref := w.ref(t, p["paymentId"].(string))
		succeeded := stripetest.Event(t, "evt_ok_"+ref, "payment_intent.succeeded", obj{"id": ref, "object": "payment_intent", "payment_method_types": []string{"card"}})
		w.securityTable(t, succeeded)
		w.fiveTimes(t, b, succeeded)
		w.refunds(t, b, ref)
		w.failed(t)
		status, raw := anon(t, h).do("POST", "/api/v1/payments/sandbox/"+p["paymentId"].(string)+"/pay", obj{"cardNumber": "4242424242424242"}, nil)
		if status != 404 {
			t.Errorf("sandbox pay with the stripe provider: %d %s", status, raw)
		}
	})
}

type hooks struct {
	t      *testing.T
	h      *apptest.Harness
	db     *sqldb.DB
	client client
}

func (w hooks) open(t *testing.T) (booking, obj) {
	t.Helper()
	b := newBooking("biz_stripe", clientID, time.Now().Add(72*time.Hour), 150, "EUR")
	publish(t, w.h, time.Now(), "", b.BookingCreated)
	c := w.client
	c.t = t
	return b, waitPayment(t, c, b.BookingID)
}

// ref is the payment's PaymentIntent id, as stripe-mock made it.
func (w hooks) ref(t *testing.T, paymentID string) string {
	t.Helper()
	var ref string
	q := "SELECT provider_ref FROM payments WHERE id = ?"
	if w.db.Engine == sqldb.Postgres {
		q = "SELECT provider_ref FROM payments WHERE id = $1"
	}
	if err := w.db.QueryRowContext(context.Background(), q, paymentID).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

// deliver posts a webhook and returns the status and the error reason.
func (w hooks) deliver(t *testing.T, payload []byte, signature string) (int, string) {
	t.Helper()
	hdr := map[string]string{}
	if signature != "" {
		hdr["Stripe-Signature"] = signature
	}
	status, raw := anon(t, w.h).do("POST", webhookPath, payload, hdr)
	var e httpapi.ErrorBody
	_ = json.Unmarshal(raw, &e)
	return status, e.Error.Reason
}

func sign(payload []byte) string {
	return stripetest.Sign(payload, stripetest.WebhookSecret, time.Now())
}

func (w hooks) securityTable(t *testing.T, succeeded []byte) {
	malformed := []byte(`{"id": "evt_bad", "type": "payment_intent.succeeded", "data": {"object": `)
	before := snapshot(t, w.db)
	for name, tc := range map[string]struct {
		payload []byte
		header  string
	}{
		"missing signature":     {succeeded, ""},
		"wrong secret":          {succeeded, stripetest.Sign(succeeded, "whsec_wrong", time.Now())},
		"expired timestamp":     {succeeded, stripetest.Sign(succeeded, stripetest.WebhookSecret, time.Now().Add(-10*time.Minute))},
		"changed after signing": {[]byte(strings.Replace(string(succeeded), "card", "sepa", 1)), sign(succeeded)},
		"malformed json":        {malformed, sign(malformed)},
		"garbage header":        {succeeded, "t=abc,v1=zz"},
	} {
		if status, reason := w.deliver(t, tc.payload, tc.header); status != 400 || reason != "bad_webhook" {
			t.Errorf("%s: %d %q, want 400 bad_webhook", name, status, reason)
		}
	}
	if after := snapshot(t, w.db); after != before {
		t.Errorf("rejected webhooks changed the database:\nbefore %s\nafter %s", before, after)
	}
}

// fiveTimes: the same delivery five times (the first answer lost, say):
// one payment.succeeded; the repeats are acknowledged and change nothing.
func (w hooks) fiveTimes(t *testing.T, b booking, succeeded []byte) {
	header := sign(succeeded)
	if status, reason := w.deliver(t, succeeded, header); status != 200 {
		t.Fatalf("first delivery: %d %s", status, reason)
	}
	waitTypes(t, w.h, b.BookingID, event.TypePaymentSucceeded)
	after := snapshot(t, w.db)
	for i := range 4 {
		if status, reason := w.deliver(t, succeeded, header); status != 200 {
			t.Errorf("repeat %d: %d %q, want 200 (already applied)", i+2, status, reason)
		}
	}
	if got := snapshot(t, w.db); got != after {
		t.Errorf("replays changed the database")
	}
	if got := types(paymentEvents(t, w.h, b.BookingID)); len(got) != 1 {
		t.Errorf("events = %v, want one payment.succeeded", got)
	}
	if got := waitPayment(t, w.client, b.BookingID); got["status"] != "succeeded" {
		t.Errorf("GET = %v", got)
	}
}

// refunds: half refunded in Stripe's dashboard (charge.refunded), the rest
// by a cancellation two days ahead (a refund at stripe-mock), then
// Stripe's report of that refund: two payment.refunded in all.
func (w hooks) refunds(t *testing.T, b booking, ref string) {
	half := stripetest.Event(t, "evt_half_"+ref, "charge.refunded", obj{"id": "ch_1", "payment_intent": ref, "amount_refunded": 7500})
	if status, reason := w.deliver(t, half, sign(half)); status != 200 {
		t.Fatalf("charge.refunded: %d %s", status, reason)
	}
	evs := waitTypes(t, w.h, b.BookingID, event.TypePaymentSucceeded, event.TypePaymentRefunded)
	if d := data[event.PaymentRefunded](t, evs[1]); d.Amount != 75 || d.Reason != "provider" {
		t.Errorf("dashboard refund = %+v", d)
	}
	waitStatus(t, w.client, b.BookingID, "partially_refunded")
	publish(t, w.h, b.StartTime.Add(-48*time.Hour), "", b.cancelled())
	evs = waitTypes(t, w.h, b.BookingID, event.TypePaymentSucceeded, event.TypePaymentRefunded, event.TypePaymentRefunded)
	if d := data[event.PaymentRefunded](t, evs[2]); d.Amount != 75 || d.Reason != "booking_cancelled" {
		t.Errorf("cancellation refund = %+v", d)
	}
	full := stripetest.Event(t, "evt_full_"+ref, "charge.refunded", obj{"id": "ch_1", "payment_intent": ref, "amount_refunded": 15000})
	if status, reason := w.deliver(t, full, sign(full)); status != 200 {
		t.Fatalf("charge.refunded (full): %d %s", status, reason)
	}
	if got := waitStatus(t, w.client, b.BookingID, "refunded"); got["refundedAmount"] != 150.0 {
		t.Errorf("GET = %v", got)
	}
	if got := types(paymentEvents(t, w.h, b.BookingID)); len(got) != 3 {
		t.Errorf("events = %v, want succeeded and two refunds", got)
	}
}

func (w hooks) failed(t *testing.T) {
	b, p := w.open(t)
	ref := w.ref(t, p["paymentId"].(string))
	ev := stripetest.Event(t, "evt_fail_"+ref, "payment_intent.payment_failed", obj{"id": ref,
		"last_payment_error": obj{"code": "card_declined", "decline_code": "insufficient_funds"}})
	if status, reason := w.deliver(t, ev, sign(ev)); status != 200 {
		t.Fatalf("payment_failed: %d %s", status, reason)
	}
	evs := waitTypes(t, w.h, b.BookingID, event.TypePaymentFailed)
	if d := data[event.PaymentFailed](t, evs[0]); d.FailureReason != "insufficient_funds" || d.PaymentIntentID != ref ||
		d.FailureMessage != "Your card has insufficient funds." {
		t.Errorf("payment.failed = %+v", d)
	}
	if got := waitPayment(t, w.client, b.BookingID); got["status"] != "requires_payment" || got["payable"] != true ||
		got["failureMessage"] != "Your card has insufficient funds." {
		t.Errorf("after the decline: %v", got)
	}
	// The same decline delivered again is not a second attempt.
	if status, _ := w.deliver(t, ev, sign(ev)); status != 200 {
		t.Errorf("repeated payment_failed: %d", status)
	}
	other := stripetest.Event(t, "evt_other_"+ref, "customer.created", obj{"id": "cus_1"})
	if status, _ := w.deliver(t, other, sign(other)); status != 200 {
		t.Errorf("an event of another type: %d, want 200", status)
	}
	// The client tries again, on Checkout this time, and pays.
	paid := stripetest.Event(t, "evt_paid_"+ref, "checkout.session.completed", obj{"id": "cs_test_1", "object": "checkout.session",
		"payment_status": "paid", "payment_intent": "pi_checkout_" + ref, "client_reference_id": p["paymentId"]})
	if status, reason := w.deliver(t, paid, sign(paid)); status != 200 {
		t.Fatalf("checkout.session.completed: %d %s", status, reason)
	}
	evs = waitTypes(t, w.h, b.BookingID, event.TypePaymentFailed, event.TypePaymentSucceeded)
	if d := data[event.PaymentSucceeded](t, evs[1]); d.PaymentIntentID != "pi_checkout_"+ref || d.Amount != 150 {
		t.Errorf("payment.succeeded = %+v", d)
	}
	if got := waitStatus(t, w.client, b.BookingID, "succeeded"); got["failureReason"] != nil {
		t.Errorf("after paying: %v", got)
	}
}

// snapshot returns the payment database's rows (the outbox's events, not
// its relay bookkeeping) as text.
func snapshot(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		"SELECT * FROM payments", "SELECT * FROM payment_refunds", "SELECT * FROM payment_bookings",
		"SELECT * FROM payment_webhook_events", "SELECT event_id, event_type FROM outbox_events",
	} {
		rows, err := db.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprint(vals...))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		sort.Strings(lines)
		out = append(out, q+"\n"+strings.Join(lines, "\n"))
	}
	return strings.Join(out, "\n")
}
