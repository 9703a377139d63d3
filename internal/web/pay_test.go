package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/scheduling"
)

// stripeHarness is a harness whose payment provider has a hosted checkout.
func stripeHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.pay.provider = "stripe"
	return h
}

const refreshTag = `<meta http-equiv="refresh" content="3">`

func TestHostedCheckoutPayRedirectsToTheProvidersPage(t *testing.T) {
	t.Parallel()
	h := stripeHarness(t)
	path := h.book(t, "svc_colour", colourStart, "")
	id := h.bookingID(t, path)
	h.pay.open(id)
	p := h.get(t, path)
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, `action="`+path+`/pay"`, "Pay €120.00", "Stripe")
	wantNot(t, p, `name="card"`, "Test cards", "http-equiv", `target="_top"`)
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://checkout.stripe.com;") {
		t.Errorf("CSP = %q: the form's redirect to Stripe Checkout must be allowed", csp)
	}

	res := h.submit(t, p, path+"/pay", nil)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "https://checkout.stripe.test/c/pay/cs_test_") {
		t.Fatalf("Location = %q, want the checkout page", loc)
	}
	if len(h.pay.checkouts) != 1 {
		t.Fatalf("checkouts = %d, want 1", len(h.pay.checkouts))
	}
	c := h.pay.checkouts[0]
	base := "https://book.example" + path
	if c.SuccessURL != base+"?paid=1&tz=Europe%2FBerlin" || c.CancelURL != base+"?tz=Europe%2FBerlin" {
		t.Errorf("return URLs = %q, %q", c.SuccessURL, c.CancelURL)
	}
	if c.Description != "Colour at Salon Rosa, Tuesday 8 December 2026, 10:00–11:30 CET" || c.Email != "ada@example.com" {
		t.Errorf("page = %+v", c)
	}

	back := h.get(t, path+"?paid=1&tz=Europe%2FBerlin")
	wantHTML(t, back, "Payment received — confirming…", refreshTag, `href="`+path+`?tz=Europe%2FBerlin">Back to your booking`)
	wantNot(t, back, `action="`+path+`/pay"`)
	h.pay.succeed(id, false) // the webhook arrived; the saga has not confirmed yet
	wantHTML(t, h.get(t, path+"?paid=1&tz=Europe%2FBerlin"), "Payment received — confirming…", refreshTag)
	h.pay.succeed(id, true)
	done := h.get(t, path+"?paid=1&tz=Europe%2FBerlin")
	wantHTML(t, done, "Thank you — your payment was received.", "Confirmed", "Paid €120.00.")
	wantNot(t, done, "http-equiv", "confirming…")
}

func TestHostedCheckoutOfAPaidBookingGoesBackToIt(t *testing.T) {
	t.Parallel()
	h := stripeHarness(t)
	path := h.book(t, "svc_colour", colourStart, "")
	id := h.bookingID(t, path)
	h.pay.open(id)
	p := h.get(t, path)
	h.pay.succeed(id, true) // paid in another tab meanwhile
	res := h.submit(t, p, path+"/pay", nil)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, path+"?") {
		t.Fatalf("Location = %q, want the manage page", loc)
	}
	if len(h.pay.checkouts) != 0 {
		t.Fatal("a checkout page was opened for a paid booking")
	}
}

func TestSandboxPaymentBeforeTheSagaConfirmsShowsConfirming(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_colour", colourStart, "")
	id := h.bookingID(t, path)
	h.pay.open(id)
	h.pay.succeed(id, false)
	p := h.get(t, path)
	wantHTML(t, p, "Awaiting payment", "Payment received — confirming…", refreshTag)
	wantNot(t, p, `name="card"`, "Back to your booking")
}

func TestReleasedUnpaidBookingSaysSoWithoutAForm(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_colour", colourStart, "")
	id := h.bookingID(t, path)
	h.pay.open(id)
	h.submit(t, h.get(t, path), path+"/pay", url.Values{"card": {payment.CardDeclined}})
	// The hold ended: the booking expired, its payment was closed.
	h.sched.mu.Lock()
	b := h.sched.bookings[id]
	b.Status, b.HoldUntil = scheduling.StatusExpired, time.Time{}
	h.sched.mu.Unlock()
	h.pay.mu.Lock()
	h.pay.byBook[id].Status = payment.StatusCanceled
	h.pay.mu.Unlock()
	p := h.get(t, path)
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, "Released — not paid in time", "The time to pay ran out, so this time was released. Nothing was charged.",
		`href="/b/rosa">Book another time`)
	wantNot(t, p, `name="card"`, "declined", "http-equiv", "Move to another time")
	res := h.post(t, path+"/pay", url.Values{"csrf_token": {h.site.newForm(path + "/pay").Token}, "card": {payment.CardSucceeds}})
	wantStatus(t, res, http.StatusSeeOther) // not payable: back to the page, which says why
}

func TestRefundedPaymentIsStated(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_colour", colourStart, "")
	id := h.bookingID(t, path)
	h.pay.open(id)
	h.pay.succeed(id, true)
	h.submit(t, h.get(t, path+"/cancel"), path+"/cancel", nil)
	h.pay.mu.Lock()
	h.pay.byBook[id].Status, h.pay.byBook[id].Refunded = payment.StatusPartiallyRefunded, 6000
	h.pay.mu.Unlock()
	wantHTML(t, h.get(t, path), "Cancelled", "You paid €120.00; €60.00 of it was refunded.")
}
