package httpapi_test

import (
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// The 09:00 Berlin slot on Tuesday 2030-01-08.
const slot0900 = "2030-01-08T08:00:00Z"
const slot0900Berlin = "2030-01-08T09:00:00+01:00"

// TestSaga is the seed's integration test against the running program:
// create booking → booking.created → payment.succeeded → booking.confirmed
// → status confirmed; payment.failed → still pending with the slot held (the
// client may pay again), and a later payment.succeeded confirms, or the
// hold's end expires it and the slot is offered again; no payment within
// the hold (manual clock) → expired and the slot offered again. Every event
// of a booking carries the correlation id of the request that created it.
func TestSaga(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := setup(t, engine)
		t.Run("payment_succeeded_confirms", func(t *testing.T) { testPaymentSucceeded(t, f) })
		t.Run("payment_failed_then_succeeded_confirms", func(t *testing.T) { testFailedThenPaid(t, f) })
		t.Run("payment_failed_stays_pending_until_the_hold_expires", func(t *testing.T) { testPaymentFailed(t, f) })
		t.Run("unpaid_hold_expires_and_frees_the_slot", func(t *testing.T) { testHoldExpires(t, f) })
		t.Run("free_service_confirmed_at_once", func(t *testing.T) { testFreeConfirmed(t, f) })
	})
}

// book creates a guest booking of the paid service and returns its body
// and the request's correlation id.
func (f *fixture) book(t *testing.T, start, email string) (obj, string) {
	t.Helper()
	r := f.anon.send("POST", "/api/v1/bookings", f.guestBooking(f.paidID, start, email), nil)
	if r.status != 201 {
		t.Fatalf("book %s = %d %s", start, r.status, r.body)
	}
	return r.json(t), r.header.Get(app.HeaderCorrelationID)
}

func checkCorrelation(t *testing.T, f *fixture, id, corr string, want ...string) {
	t.Helper()
	evs := f.events(t, id)
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
		if ev.CorrelationID != corr {
			t.Errorf("%s correlationId = %q, want the request's %q", ev.Type, ev.CorrelationID, corr)
		}
	}
	if len(types) != len(want) {
		t.Fatalf("events of %s = %v, want %v", id, types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Errorf("events of %s = %v, want %v", id, types, want)
		}
	}
}

func testPaymentSucceeded(t *testing.T, f *fixture) {
	b, corr := f.book(t, slot0900, "succeeded@example.com")
	id, token := b["id"].(string), b["manageToken"].(string)
	if b["status"] != "pending" || b["requiresPayment"] != true || b["totalAmount"] != 50.0 || b["currency"] != "EUR" ||
		b["holdUntil"] != t0.Add(15*time.Minute).Format(time.RFC3339) || b["endTime"] != "2030-01-08T09:00:00Z" || token == "" {
		t.Errorf("created booking = %v", b)
	}
	created := f.waitEvent(t, id, event.TypeBookingCreated)
	d, err := event.DataAs[event.BookingCreated](created)
	if err != nil || d.TotalAmount != 50 || !d.RequiresPayment || d.Status != "pending" || d.StaffID != f.staffID ||
		d.ManageTokenHash == "" || d.ClientEmail != "succeeded@example.com" || d.StartTime.Format(time.RFC3339) != slot0900 {
		t.Errorf("booking.created = %+v, %v", d, err)
	}
	if f.offered(t, f.paidID, slot0900Berlin) {
		t.Error("a pending booking's slot is still offered")
	}
	f.publish(t, event.TypePaymentSucceeded, corr, event.PaymentSucceeded{
		PaymentID: "pay_1", PaymentIntentID: "pi_1", BookingID: id, BusinessID: f.bizID, ClientID: d.ClientID,
		Amount: 50, Currency: "EUR", Method: "card",
	})
	f.waitEvent(t, id, event.TypeBookingConfirmed)
	got := f.anon.must(200, "GET", "/api/v1/bookings/"+id+"?token="+token, nil)
	if got["status"] != "confirmed" || got["holdUntil"] != nil {
		t.Errorf("after payment.succeeded: %v", got)
	}
	// A second delivery of the same payment (another event id) changes nothing.
	f.publish(t, event.TypePaymentSucceeded, corr, event.PaymentSucceeded{
		PaymentID: "pay_1", PaymentIntentID: "pi_1", BookingID: id, BusinessID: f.bizID, ClientID: d.ClientID,
		Amount: 50, Currency: "EUR", Method: "card",
	})
	eventbustest.AwaitSettled(t, f.h.JS, eventbus.EventStream, "scheduling-payments")
	checkCorrelation(t, f, id, corr, event.TypeBookingCreated, event.TypeBookingConfirmed)
}

// failPayment publishes a declined attempt of the booking's payment and
// waits until the scheduling service has handled it.
func (f *fixture) failPayment(t *testing.T, id, corr, clientID string) {
	t.Helper()
	f.publish(t, event.TypePaymentFailed, corr, event.PaymentFailed{
		PaymentID: "pay_" + id, BookingID: id, BusinessID: f.bizID, ClientID: clientID, Amount: 50, Currency: "EUR",
		FailureReason: "card_declined",
	})
	eventbustest.AwaitSettled(t, f.h.JS, eventbus.EventStream, "scheduling-payments")
}

// stillPending checks that a declined payment left the booking pending,
// its hold and its slot kept.
func (f *fixture) stillPending(t *testing.T, id, token string, holdUntil any, slotBerlin string) {
	t.Helper()
	got := f.anon.must(200, "GET", "/api/v1/bookings/"+id+"?token="+token, nil)
	if got["status"] != "pending" || got["holdUntil"] != holdUntil || got["cancelReason"] != nil {
		t.Errorf("after payment.failed: %v, want pending until %v", got, holdUntil)
	}
	if f.offered(t, f.paidID, slotBerlin) {
		t.Error("the slot is offered again after payment.failed: the hold was released")
	}
}

func testFailedThenPaid(t *testing.T, f *fixture) {
	const start, berlin = "2030-01-08T14:30:00Z", "2030-01-08T15:30:00+01:00"
	b, corr := f.book(t, start, "retry@example.com")
	id, token := b["id"].(string), b["manageToken"].(string)
	d, _ := event.DataAs[event.BookingCreated](f.waitEvent(t, id, event.TypeBookingCreated))
	for range 2 { // two declined attempts
		f.failPayment(t, id, corr, d.ClientID)
		f.stillPending(t, id, token, b["holdUntil"], berlin)
	}
	f.publish(t, event.TypePaymentSucceeded, corr, event.PaymentSucceeded{
		PaymentID: "pay_" + id, PaymentIntentID: "pi_" + id, BookingID: id, BusinessID: f.bizID, ClientID: d.ClientID,
		Amount: 50, Currency: "EUR", Method: "card",
	})
	f.waitEvent(t, id, event.TypeBookingConfirmed)
	if got := f.anon.must(200, "GET", "/api/v1/bookings/"+id+"?token="+token, nil); got["status"] != "confirmed" {
		t.Errorf("paid after a declined attempt: %v", got)
	}
	checkCorrelation(t, f, id, corr, event.TypeBookingCreated, event.TypeBookingConfirmed)
}

func testPaymentFailed(t *testing.T, f *fixture) {
	const start = "2030-01-08T10:30:00Z" // 11:30 Berlin
	b, corr := f.book(t, start, "failed@example.com")
	id, token := b["id"].(string), b["manageToken"].(string)
	created := f.waitEvent(t, id, event.TypeBookingCreated)
	d, _ := event.DataAs[event.BookingCreated](created)
	if f.offered(t, f.paidID, "2030-01-08T11:30:00+01:00") {
		t.Fatal("pending slot offered")
	}
	f.failPayment(t, id, corr, d.ClientID)
	f.stillPending(t, id, token, b["holdUntil"], "2030-01-08T11:30:00+01:00")
	// The hold ends unpaid: the sweeper expires the booking.
	f.clock.Advance(16 * time.Minute)
	f.waitEvent(t, id, event.TypeBookingExpired)
	if got := f.anon.must(200, "GET", "/api/v1/bookings/"+id+"?token="+token, nil); got["status"] != "expired" || got["holdUntil"] != nil {
		t.Errorf("after the hold: %v", got)
	}
	if !f.offered(t, f.paidID, "2030-01-08T11:30:00+01:00") {
		t.Error("the slot is not offered again after the hold expired")
	}
	checkCorrelation(t, f, id, corr, event.TypeBookingCreated, event.TypeBookingExpired)
}

func testHoldExpires(t *testing.T, f *fixture) {
	const start = "2030-01-08T13:00:00Z" // 14:00 Berlin
	b, corr := f.book(t, start, "expired@example.com")
	id, token := b["id"].(string), b["manageToken"].(string)
	f.waitEvent(t, id, event.TypeBookingCreated)
	f.clock.Advance(14 * time.Minute)
	if got := f.anon.must(200, "GET", "/api/v1/bookings/"+id+"?token="+token, nil); got["status"] != "pending" {
		t.Fatalf("expired before the hold ended: %v", got)
	}
	f.clock.Advance(2 * time.Minute)
	f.waitEvent(t, id, event.TypeBookingExpired)
	if got := f.anon.must(200, "GET", "/api/v1/bookings/"+id+"?token="+token, nil); got["status"] != "expired" {
		t.Errorf("after the hold: %v", got)
	}
	if !f.offered(t, f.paidID, "2030-01-08T14:00:00+01:00") {
		t.Error("the slot is not offered again after the hold expired")
	}
	checkCorrelation(t, f, id, corr, event.TypeBookingCreated, event.TypeBookingExpired)
}

func testFreeConfirmed(t *testing.T, f *fixture) {
	r := f.anon.send("POST", "/api/v1/bookings", f.guestBooking(f.freeID, "2030-01-09T08:00:00Z", "free@example.com"), nil)
	if r.status != 201 {
		t.Fatalf("book = %d %s", r.status, r.body)
	}
	b := r.json(t)
	if b["status"] != "confirmed" || b["requiresPayment"] != false || b["holdUntil"] != nil {
		t.Errorf("free booking = %v", b)
	}
	id := b["id"].(string)
	f.waitEvent(t, id, event.TypeBookingConfirmed)
	created, _ := event.DataAs[event.BookingCreated](f.waitEvent(t, id, event.TypeBookingCreated))
	if created.RequiresPayment || created.Status != "confirmed" {
		t.Errorf("booking.created = %+v", created)
	}
	checkCorrelation(t, f, id, r.header.Get(app.HeaderCorrelationID), event.TypeBookingCreated, event.TypeBookingConfirmed)
}
