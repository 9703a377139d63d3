package httpapi_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// manualClock is the App's clock, moved by the test.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestSagaWithScheduling is the whole paid booking saga through the
// public HTTP API with the scheduling service: a guest books a paid
// service, pays with 4242… → confirmed; a declined card leaves the booking
// pending and its payment payable, and a good card next confirms it;
// cancelled two days ahead → refunded; declined and never paid → the hold
// expires the booking, frees the slot and closes the payment, and a later
// attempt is refused.
func TestSagaWithScheduling(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		clock := &manualClock{now: time.Date(2030, 1, 6, 7, 0, 0, 0, time.UTC)} // Sunday, two days before the slots
		cfg := apptest.Config(t, engine)
		cfg.Services = []string{"auth", "business", "scheduling", "payment"}
		cfg.Clock, cfg.AccessTokenTTL, cfg.HoldDuration = clock.Now, 30*24*time.Hour, 15*time.Minute
		e := e2e{h: apptest.Start(t, cfg), clock: clock}
		e.setup(t)

		id, token := e.book(t, "2030-01-08T08:00:00Z")
		p := e.payment(t, id, token)
		must(anon(t, e.h), 200, "POST", p["payUrl"].(string), obj{"cardNumber": "4242 4242 4242 4242"})
		e.waitBooking(t, id, token, "confirmed")
		waitTypes(t, e.h, id, event.TypePaymentSucceeded)

		id2, token2 := e.book(t, "2030-01-08T09:00:00Z")
		p2 := e.payment(t, id2, token2)
		declined := must(anon(t, e.h), 402, "POST", p2["payUrl"].(string), obj{"cardNumber": "4000 0000 0000 0002"})
		if declined["status"] != "requires_payment" || declined["failureReason"] != "card_declined" || declined["failureMessage"] != "Your card was declined." {
			t.Fatalf("declined = %v", declined)
		}
		waitTypes(t, e.h, id2, event.TypePaymentFailed)
		eventbustest.AwaitSettled(t, e.h.JS, "SLOTWISE_EVENTS", "scheduling-payments") // payment.failed handled
		e.waitBooking(t, id2, token2, "pending")
		if e.offered(t, "2030-01-08T10:00:00+01:00") {
			t.Error("the declined booking's slot is offered while its hold lasts")
		}
		must(anon(t, e.h), 200, "POST", p2["payUrl"].(string), obj{"cardNumber": "4242 4242 4242 4242"})
		e.waitBooking(t, id2, token2, "confirmed")
		waitTypes(t, e.h, id2, event.TypePaymentFailed, event.TypePaymentSucceeded)

		must(anon(t, e.h), 200, "POST", "/api/v1/bookings/"+id+"/cancel?token="+url.QueryEscape(token), nil)
		apptest.WaitFor(t, "the cancelled booking's payment refunded", func() bool {
			_, raw := anon(t, e.h).do("GET", "/api/v1/bookings/"+id+"/payment?token="+url.QueryEscape(token), nil, nil)
			return strings.Contains(string(raw), `"status":"refunded"`)
		})
		waitTypes(t, e.h, id, event.TypePaymentSucceeded, event.TypePaymentRefunded)

		id3, token3 := e.book(t, "2030-01-08T10:00:00Z")
		p3 := e.payment(t, id3, token3)
		must(anon(t, e.h), 402, "POST", p3["payUrl"].(string), obj{"cardNumber": "4000000000009995"})
		clock.Advance(16 * time.Minute)
		e.waitBooking(t, id3, token3, "expired")
		apptest.WaitFor(t, "the expired booking's payment closed", func() bool {
			_, raw := anon(t, e.h).do("GET", "/api/v1/bookings/"+id3+"/payment?token="+url.QueryEscape(token3), nil, nil)
			return strings.Contains(string(raw), `"status":"canceled"`)
		})
		apptest.WaitFor(t, "the expired booking's slot offered again", func() bool { return e.offered(t, "2030-01-08T11:00:00+01:00") })
		status, raw := anon(t, e.h).do("POST", p3["payUrl"].(string), obj{"cardNumber": "4242424242424242"}, nil)
		if status != 409 || !strings.Contains(string(raw), "This booking is no longer awaiting payment.") {
			t.Errorf("pay after expiry = %d %s, want 409 in words", status, raw)
		}
		settle(t, e.h)
		if got := types(paymentEvents(t, e.h, id3)); fmt.Sprint(got) != "[payment.failed]" {
			t.Errorf("events of the expired booking = %v, want the one payment.failed", got)
		}
	})
}

type e2e struct {
	h         *apptest.Harness
	clock     *manualClock
	owner     client
	bizID     string
	serviceID string
}

func (e *e2e) setup(t *testing.T) {
	s := must(anon(t, e.h), 201, "POST", "/api/v1/auth/register", obj{
		"email": "owner@example.com", "password": "correct horse battery", "firstName": "Ada", "lastName": "Lovelace", "role": "business_owner",
	})
	e.owner = client{t: t, base: e.h.BaseURL, token: s["accessToken"].(string)}
	e.bizID = must(e.owner, 201, "POST", "/api/v1/businesses", obj{"name": "Paid Studio", "subdomain": "paid-studio", "timeZone": "Europe/Berlin"})["id"].(string)
	base := "/api/v1/businesses/" + e.bizID
	e.serviceID = must(e.owner, 201, "POST", base+"/services", obj{"name": "Consultation", "duration": 60, "price": 50, "currency": "EUR"})["id"].(string)
	staffID := must(e.owner, 200, "GET", base+"/staff", nil)["staff"].([]any)[0].(map[string]any)["id"].(string)
	var weekly []obj
	for d := 1; d <= 5; d++ {
		weekly = append(weekly, obj{"weekday": d, "start": "09:00", "end": "17:00"})
	}
	must(e.owner, 200, "PUT", base+"/staff/"+staffID+"/availability", obj{"weekly": weekly, "overrides": []obj{}})
	apptest.WaitFor(t, "slots on 2030-01-08", func() bool { return e.offered(t, "2030-01-08T09:00:00+01:00") })
}

func (e *e2e) offered(t *testing.T, start string) bool {
	status, raw := anon(t, e.h).do("GET", "/api/v1/public/businesses/paid-studio/slots?serviceId="+e.serviceID+"&from=2030-01-08&to=2030-01-08", nil, nil)
	return status == 200 && strings.Contains(string(raw), `"start":"`+start+`"`)
}

// book books start as a guest and returns the booking id and manage token.
func (e *e2e) book(t *testing.T, start string) (string, string) {
	b := must(anon(t, e.h), 201, "POST", "/api/v1/bookings", obj{"businessId": e.bizID, "serviceId": e.serviceID,
		"startTime": start, "client": obj{"name": "Grace Guest", "email": "grace@example.com"}})
	if b["status"] != "pending" {
		t.Fatalf("booking = %v", b)
	}
	return b["id"].(string), b["manageToken"].(string)
}

func (e *e2e) payment(t *testing.T, id, token string) obj {
	var out obj
	apptest.WaitFor(t, "the payment of "+id, func() bool {
		status, _ := anon(t, e.h).do("GET", "/api/v1/bookings/"+id+"/payment?token="+url.QueryEscape(token), nil, nil)
		if status == 200 {
			out = must(anon(t, e.h), 200, "GET", "/api/v1/bookings/"+id+"/payment?token="+url.QueryEscape(token), nil)
		}
		return status == 200
	})
	if out["amount"] != 50.0 || out["currency"] != "EUR" || out["status"] != "requires_payment" {
		t.Fatalf("payment = %v", out)
	}
	return out
}

func (e *e2e) waitBooking(t *testing.T, id, token, status string) {
	apptest.WaitFor(t, "booking "+id+" "+status, func() bool {
		code, raw := anon(t, e.h).do("GET", "/api/v1/bookings/"+id+"?token="+url.QueryEscape(token), nil, nil)
		return code == 200 && strings.Contains(string(raw), `"status":"`+status+`"`)
	})
}
