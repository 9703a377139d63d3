package httpapi_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/httpapi"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

const (
	ownerID  = "user_owner"
	clientID = "user_client"
)

// TestSandboxSaga: the paid half of the booking saga over HTTP with the
// sandbox provider, the booking service's events published on the stream.
func TestSandboxSaga(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := start(t, engine, nil)
		biz := "biz_" + event.NewID()
		publish(t, h, time.Now(), "", event.BusinessCreated{BusinessID: biz, Name: "Salon", Subdomain: "salon", OwnerID: ownerID, TimeZone: "UTC"})
		w := saga{t: t, h: h, biz: biz, client: as(t, h, clientID, authn.RoleClient)}
		t.Run("pay_succeeds_once_and_redelivery_opens_nothing", w.paySucceeds)
		t.Run("access_rules", w.access)
		t.Run("declined_then_paid", w.declinedThenPaid)
		t.Run("declined_then_expired_closes_the_payment", w.declinedThenExpired)
		t.Run("unpaid_cancelled_closes_the_payment", w.unpaidCancelled)
		t.Run("bad_cards_and_requests", w.badRequests)
		t.Run("cancel_two_days_ahead_refunds", w.cancelAhead)
		t.Run("cancel_late_refunds_nothing", w.cancelLate)
		t.Run("pay_after_expiry_is_refused", w.payAfterExpiry)
		t.Run("jpy_zero_decimal", w.yen)
		t.Run("unpaid_booking_gets_no_payment", w.unpaid)
	})
}

type saga struct {
	t      *testing.T
	h      *apptest.Harness
	biz    string
	client client
}

// open publishes a paid booking and returns it with its payment.
func (w saga) open(t *testing.T, start time.Time, amount float64, currency string) (booking, obj, event.Envelope) {
	t.Helper()
	b := newBooking(w.biz, clientID, start, amount, currency)
	ev := publish(t, w.h, time.Now(), "", b.BookingCreated)
	c := w.client
	c.t = t
	return b, waitPayment(t, c, b.BookingID), ev
}

func (w saga) pay(t *testing.T, p obj, card string, want int) obj {
	t.Helper()
	return must(client{t: t, base: w.h.BaseURL}, want, "POST", p["payUrl"].(string), obj{"cardNumber": card})
}

func (w saga) paySucceeds(t *testing.T) {
	b, p, created := w.open(t, time.Now().Add(72*time.Hour), 150, "EUR")
	id := p["paymentId"].(string)
	if p["status"] != "requires_payment" || p["provider"] != "sandbox" || p["amount"] != 150.0 || p["currency"] != "EUR" ||
		p["payUrl"] != "/api/v1/payments/sandbox/"+id+"/pay" || p["clientSecret"] != nil {
		t.Fatalf("payment = %v", p)
	}
	paid := w.pay(t, p, "4242 4242 4242 4242", 200)
	if paid["status"] != "succeeded" || paid["method"] != "card" {
		t.Fatalf("paid = %v", paid)
	}
	if e := w.refused(t, p); e.Message != "This booking is already paid." {
		t.Errorf("second payment: %+v", e)
	}
	evs := waitTypes(t, w.h, b.BookingID, event.TypePaymentSucceeded)
	d := data[event.PaymentSucceeded](t, evs[0])
	if d.PaymentID != id || d.PaymentIntentID == "" || d.BookingID != b.BookingID || d.BusinessID != w.biz ||
		d.ClientID != clientID || d.Amount != 150 || d.Currency != "EUR" || d.Method != "card" {
		t.Errorf("payment.succeeded = %+v", d)
	}
	if evs[0].CorrelationID != created.CorrelationID || evs[0].Source != "payment-service" {
		t.Errorf("payment.succeeded correlation %q source %q, want the booking's %q", evs[0].CorrelationID, evs[0].Source, created.CorrelationID)
	}
	// The same event again (past JetStream's de-duplication) and a second
	// booking.created of the booking: no second payment, no second event.
	eventbustest.PublishEnvelope(t, w.h.JS, created, "redelivery-"+created.ID, "")
	publish(t, w.h, time.Now(), "", b.BookingCreated)
	settle(t, w.h)
	if again := waitPayment(t, w.client, b.BookingID); again["paymentId"] != id || again["status"] != "succeeded" {
		t.Errorf("after redelivery: %v", again)
	}
	if got := types(paymentEvents(t, w.h, b.BookingID)); len(got) != 1 {
		t.Errorf("payment events after redelivery = %v, want one payment.succeeded", got)
	}
}

func (w saga) access(t *testing.T) {
	b, p, _ := w.open(t, time.Now().Add(72*time.Hour), 20, "USD")
	path := "/api/v1/bookings/" + b.BookingID + "/payment"
	owner := as(t, w.h, ownerID, authn.RoleOwner)
	if got := waitPayment(t, owner, b.BookingID); got["paymentId"] != p["paymentId"] {
		t.Errorf("owner sees %v", got)
	}
	if got := must(anon(t, w.h), 200, "GET", path+"?token="+b.token, nil); got["paymentId"] != p["paymentId"] {
		t.Errorf("guest with token sees %v", got)
	}
	if got := must(as(t, w.h, "user_admin", authn.RoleAdmin), 200, "GET", path, nil); got["paymentId"] != p["paymentId"] {
		t.Errorf("admin sees %v", got)
	}
	for name, tc := range map[string]struct {
		c    client
		path string
		want int
	}{
		"anonymous":        {anon(t, w.h), path, 401},
		"wrong token":      {anon(t, w.h), path + "?token=" + b.token + "x", 404},
		"other client":     {as(t, w.h, "user_other", authn.RoleClient), path, 404},
		"other owner":      {as(t, w.h, "user_owner2", authn.RoleOwner), path, 404},
		"unknown booking":  {w.client, "/api/v1/bookings/booking_nope/payment", 404},
		"bad access token": {client{t: t, base: w.h.BaseURL, token: "garbage"}, path, 401},
	} {
		if status, raw := tc.c.do("GET", tc.path, nil, nil); status != tc.want {
			t.Errorf("%s: %d %s, want %d", name, status, raw, tc.want)
		}
	}
}

// refused pays p with a good card, which must be refused with 409
// payment_not_payable, and returns the error.
func (w saga) refused(t *testing.T, p obj) httpapi.ErrorDetail {
	t.Helper()
	status, raw := anon(t, w.h).do("POST", p["payUrl"].(string), obj{"cardNumber": "4242 4242 4242 4242"}, nil)
	var e httpapi.ErrorBody
	if err := json.Unmarshal(raw, &e); err != nil || status != 409 || e.Error.Reason != "payment_not_payable" {
		t.Fatalf("pay = %d %s, want 409 payment_not_payable", status, raw)
	}
	return e.Error
}

// declinedThenPaid: each declined card answers 402 with the payment still
// payable and records payment.failed; a good card then pays it.
func (w saga) declinedThenPaid(t *testing.T) {
	b, p, _ := w.open(t, time.Now().Add(72*time.Hour), 99.99, "USD")
	var want []string
	for _, tc := range []struct{ card, reason, message string }{
		{"4000 0000 0000 0002", "card_declined", "Your card was declined."},
		{"4000000000009995", "insufficient_funds", "Your card has insufficient funds."},
	} {
		got := w.pay(t, p, tc.card, 402)
		if got["status"] != "requires_payment" || got["payable"] != true || got["failureReason"] != tc.reason || got["failureMessage"] != tc.message {
			t.Errorf("%s: answer %v", tc.card, got)
		}
		want = append(want, event.TypePaymentFailed)
		evs := waitTypes(t, w.h, b.BookingID, want...)
		d := data[event.PaymentFailed](t, evs[len(evs)-1])
		if d.FailureReason != tc.reason || d.FailureMessage != tc.message || d.Amount != 99.99 || d.ClientID != clientID ||
			d.PaymentID != p["paymentId"] || d.PaymentIntentID == "" || d.BusinessID != w.biz || d.Currency != "USD" {
			t.Errorf("%s: payment.failed = %+v", tc.card, d)
		}
		if got := waitPayment(t, w.client, b.BookingID); got["status"] != "requires_payment" || got["failureMessage"] != tc.message {
			t.Errorf("%s: GET = %v", tc.card, got)
		}
	}
	paid := w.pay(t, p, "4242 4242 4242 4242", 200)
	if paid["status"] != "succeeded" || paid["payable"] != false || paid["failureReason"] != nil {
		t.Errorf("paid after declines = %v", paid)
	}
	evs := waitTypes(t, w.h, b.BookingID, event.TypePaymentFailed, event.TypePaymentFailed, event.TypePaymentSucceeded)
	if d := data[event.PaymentSucceeded](t, evs[2]); d.Amount != 99.99 || d.PaymentID != p["paymentId"] {
		t.Errorf("payment.succeeded = %+v", d)
	}
}

// declinedThenExpired: the hold ends after a decline; the payment is
// closed without a refund (the failure reason kept), a later attempt is
// refused in words, and a redelivered expiry changes nothing.
func (w saga) declinedThenExpired(t *testing.T) {
	b, p, _ := w.open(t, time.Now().Add(72*time.Hour), 30, "EUR")
	w.pay(t, p, "4000 0000 0000 0002", 402)
	ev := publish(t, w.h, time.Now(), "", b.expired())
	got := waitStatus(t, w.client, b.BookingID, "canceled")
	if got["payable"] != false || got["failureReason"] != "card_declined" || got["refundedAmount"] != 0.0 {
		t.Errorf("after expiry: %v", got)
	}
	if e := w.refused(t, p); e.Message != "This booking is no longer awaiting payment. The time to pay for it ran out." {
		t.Errorf("pay after expiry: %+v", e)
	}
	eventbustest.PublishEnvelope(t, w.h.JS, ev, "redelivery-"+ev.ID, "")
	settle(t, w.h)
	if got := types(paymentEvents(t, w.h, b.BookingID)); fmt.Sprint(got) != "[payment.failed]" {
		t.Errorf("events = %v, want the one payment.failed", got)
	}
}

// unpaidCancelled: the client cancels before paying: the payment is
// closed, nothing refunded, paying is refused.
func (w saga) unpaidCancelled(t *testing.T) {
	b, p, _ := w.open(t, time.Now().Add(72*time.Hour), 30, "EUR")
	publish(t, w.h, time.Now(), "", b.cancelled())
	waitStatus(t, w.client, b.BookingID, "canceled")
	if e := w.refused(t, p); e.Message != "This booking is no longer awaiting payment. It was cancelled." {
		t.Errorf("pay after cancel: %+v", e)
	}
	settle(t, w.h)
	if got := paymentEvents(t, w.h, b.BookingID); len(got) != 0 {
		t.Errorf("events = %v, want none", types(got))
	}
}

func (w saga) badRequests(t *testing.T) {
	_, p, _ := w.open(t, time.Now().Add(72*time.Hour), 10, "USD")
	c := anon(t, w.h)
	url := p["payUrl"].(string)
	tests := []struct {
		name   string
		path   string
		body   any
		status int
		field  string
	}{
		{"not a card number", url, obj{"cardNumber": "12ab"}, 400, "cardNumber"},
		{"missing card number", url, obj{}, 400, "cardNumber"},
		{"unknown test card", url, obj{"cardNumber": "5555 5555 5555 4444"}, 422, "cardNumber"},
		{"unknown field", url, obj{"cardNumber": "4242424242424242", "cvc": "123"}, 400, "cvc"},
		{"malformed json", url, []byte(`{"cardNumber":`), 400, ""},
		{"unknown payment", "/api/v1/payments/sandbox/pay_nope/pay", obj{"cardNumber": "4242424242424242"}, 404, ""},
		{"stripe webhook without stripe", "/api/v1/payments/webhooks/stripe", obj{"id": "evt_1"}, 404, ""},
	}
	for _, tt := range tests {
		status, raw := c.do("POST", tt.path, tt.body, nil)
		var e httpapi.ErrorBody
		_ = json.Unmarshal(raw, &e)
		if status != tt.status || e.Error.Field != tt.field {
			t.Errorf("%s: %d %s, want %d naming %q", tt.name, status, raw, tt.status, tt.field)
		}
	}
	if got := waitPayment(t, w.client, p["bookingId"].(string)); got["status"] != "requires_payment" {
		t.Errorf("after bad requests: %v", got)
	}
}

func (w saga) cancelAhead(t *testing.T) {
	b, p, _ := w.open(t, time.Now().Add(72*time.Hour), 150, "EUR")
	w.pay(t, p, "4242 4242 4242 4242", 200)
	publish(t, w.h, b.StartTime.Add(-48*time.Hour), "", b.cancelled())
	evs := waitTypes(t, w.h, b.BookingID, event.TypePaymentSucceeded, event.TypePaymentRefunded)
	d := data[event.PaymentRefunded](t, evs[1])
	if d.PaymentID != p["paymentId"] || d.RefundID == "" || d.Amount != 150 || d.Currency != "EUR" || d.Reason != "booking_cancelled" {
		t.Errorf("payment.refunded = %+v", d)
	}
	if got := waitStatus(t, w.client, b.BookingID, "refunded"); got["refundedAmount"] != 150.0 {
		t.Errorf("GET = %v", got)
	}
}

func (w saga) cancelLate(t *testing.T) {
	b, p, _ := w.open(t, time.Now().Add(3*time.Hour), 150, "EUR")
	w.pay(t, p, "4242 4242 4242 4242", 200)
	publish(t, w.h, b.StartTime.Add(-2*time.Hour), "", b.cancelled())
	settle(t, w.h)
	if got := types(paymentEvents(t, w.h, b.BookingID)); fmt.Sprint(got) != "[payment.succeeded]" {
		t.Errorf("events = %v, want no refund", got)
	}
}

// payAfterExpiry: the hold ended before the client paid: the payment is
// closed and the card is not charged.
func (w saga) payAfterExpiry(t *testing.T) {
	b, p, _ := w.open(t, time.Now().Add(72*time.Hour), 40, "USD")
	publish(t, w.h, time.Now(), "", b.expired())
	waitStatus(t, w.client, b.BookingID, "canceled")
	w.refused(t, p)
	settle(t, w.h)
	if got := paymentEvents(t, w.h, b.BookingID); len(got) != 0 {
		t.Errorf("events = %v, want none", types(got))
	}
}

func (w saga) yen(t *testing.T) {
	b, p, _ := w.open(t, time.Now().Add(72*time.Hour), 1500, "JPY")
	if p["amount"] != 1500.0 || p["currency"] != "JPY" {
		t.Fatalf("payment = %v", p)
	}
	w.pay(t, p, "4242 4242 4242 4242", 200)
	evs := waitTypes(t, w.h, b.BookingID, event.TypePaymentSucceeded)
	if d := data[event.PaymentSucceeded](t, evs[0]); d.Amount != 1500 || d.Currency != "JPY" {
		t.Errorf("payment.succeeded = %+v", d)
	}
}

func (w saga) unpaid(t *testing.T) {
	b := newBooking(w.biz, clientID, time.Now().Add(72*time.Hour), 10, "USD")
	b.RequiresPayment, b.Status = false, "confirmed"
	publish(t, w.h, time.Now(), "", b.BookingCreated)
	settle(t, w.h)
	if status, raw := w.client.do("GET", "/api/v1/bookings/"+b.BookingID+"/payment", nil, nil); status != 404 {
		t.Errorf("GET = %d %s, want 404", status, raw)
	}
}
