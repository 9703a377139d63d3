package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/scheduling"
)

const colourStart = "2026-12-08T09:00:00Z" // Tuesday 8 December, 10:00 in Berlin

func TestManagePageNeedsTheRightToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_cut", slotStart, "")
	wrong := "/m/not-the-token"
	for _, p := range []string{wrong, wrong + "/cancel", wrong + "/reschedule", wrong + "/booking.ics"} {
		got := h.get(t, p)
		wantStatus(t, got, http.StatusNotFound)
		wantHTML(t, got, "Page not found")
	}
	wantStatus(t, h.get(t, path), http.StatusOK)
}

func TestManagePageInClientZoneAndBusinessZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_cut", slotStart, "")
	p := h.get(t, path+"?tz=Asia/Tokyo")
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, "Wednesday 2 December 2026, 18:00–18:30 JST", "Asia/Tokyo (JST)",
		"Wednesday 2 December 2026, 10:00–10:30 CET", "Europe/Berlin (CET)", `href="/b/rosa">Salon Rosa</a>`, "Free")
}

func TestPaidBookingPendingShowsDeadlineAndCardForm(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_colour", colourStart, "")
	preparing := h.get(t, path)
	wantHTML(t, preparing, "Awaiting payment", "getting your payment ready", `<meta http-equiv="refresh" content="3">`)
	h.pay.open(h.bookingID(t, path))
	p := h.get(t, path)
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, "Pay <strong>€120.00</strong> by <strong>11:15 CET on Tuesday 1 December 2026</strong>",
		`<label for="card">Card number</label>`, `action="`+path+`/pay"`, "Pay €120.00", "4242 4242 4242 4242")
	wantNot(t, p, "http-equiv")
}

func TestDeclinedCardCanTryAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_colour", colourStart, "")
	h.pay.open(h.bookingID(t, path))
	cards := []struct{ number, want string }{
		{"4000 0000 0000 0002", "Your card was declined."},
		{"4000000000009995", "Your card has insufficient funds."},
	}
	for _, c := range cards {
		page := h.get(t, path)
		res := h.submit(t, page, path+"/pay", url.Values{"card": {c.number}})
		after := h.follow(t, res)
		wantHTML(t, after, `role="alert"><strong>`+c.want+`</strong> Please try again or use another card.`, `name="card"`)
	}
	page := h.get(t, path)
	res := h.submit(t, page, path+"/pay", url.Values{"card": {"4242 4242 4242 4242"}})
	if loc := res.Header.Get("Location"); !strings.Contains(loc, "paid=1") {
		t.Fatalf("Location = %q, want paid=1", loc)
	}
	paid := h.follow(t, res)
	wantHTML(t, paid, "Thank you — your payment was received.", "Confirmed")
	wantNot(t, paid, `name="card"`)
}

func TestUnknownCardKeepsTheFormWithItsError(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_colour", colourStart, "")
	h.pay.open(h.bookingID(t, path))
	p := h.submit(t, h.get(t, path), path+"/pay", url.Values{"card": {"5555 5555 5555 4444"}})
	wantStatus(t, p, http.StatusUnprocessableEntity)
	wantHTML(t, p, `value="5555 5555 5555 4444" aria-invalid="true" aria-describedby="card-error"`,
		`<p id="card-error" class="field-error">This is a test payment: please use one of the test cards listed below.</p>`)
}

func TestCalendarFile(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_cut", slotStart, "staff_bob")
	p := h.get(t, path+"/booking.ics")
	wantStatus(t, p, http.StatusOK)
	if ct := p.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Fatalf("Content-Type = %q", ct)
	}
	for _, line := range []string{
		"METHOD:PUBLISH\r\n", "DTSTART:20261202T090000Z\r\n", "DTEND:20261202T093000Z\r\n",
		"SUMMARY:Haircut at Salon Rosa\r\n", "DESCRIPTION:See\\, change or cancel your booking: https://book.example/m/",
		"TRIGGER:-PT1H\r\n", "LOCATION:Salon Rosa\\, Parkstraße 12\\, 10115 Berlin\r\n", "STATUS:CONFIRMED\r\n", "END:VCALENDAR\r\n",
	} {
		if !strings.Contains(p.Body, line) {
			t.Errorf(".ics lacks %q:\n%s", line, p.Body)
		}
	}
	for _, l := range strings.Split(p.Body, "\r\n") {
		if len(l) > 75 {
			t.Errorf("line longer than 75 octets: %q", l)
		}
	}
}

func TestCancelStatesRefundThenCancels(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	free := h.book(t, "svc_cut", slotStart, "")
	p := h.get(t, free+"/cancel")
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, "Cancel this booking?", "This booking is free, so there is nothing to refund.", "Yes, cancel my booking", "Keep my booking")
	res := h.submit(t, p, free+"/cancel", nil)
	done := h.follow(t, res)
	wantHTML(t, done, "Your booking is cancelled.", "Cancelled")
	wantNot(t, done, "Move to another time")
	again := h.submit(t, p, free+"/cancel", nil)
	wantStatus(t, again, http.StatusConflict)
	wantHTML(t, again, "This booking can&#39;t be changed")
}

func TestCancelPaidBookingStatesRefundByPolicy(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_colour", colourStart, "")
	h.pay.open(h.bookingID(t, path))
	unpaid := h.get(t, path+"/cancel")
	wantHTML(t, unpaid, "You haven&#39;t paid for this booking, so nothing will be charged.")
	h.submit(t, h.get(t, path), path+"/pay", url.Values{"card": {"4242424242424242"}})
	early := h.get(t, path+"/cancel")
	wantHTML(t, early, "If you cancel now, you get a full refund of €120.00.",
		"Cancellations at least 24 hours before the start are refunded in full; later ones are not refunded.")
	h.mu.Lock()
	h.now = time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC) // 9 hours before the start
	h.mu.Unlock()
	late := h.get(t, path+"/cancel")
	wantHTML(t, late, "If you cancel now, you get no refund of the €120.00 you paid.")
}

func TestRescheduleWithSamePicker(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_cut", slotStart, "staff_bob")
	p := h.get(t, path+"/reschedule?day=2026-12-03&tz=Europe/Berlin")
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, "<h1>Move your booking</h1>", "With <strong>Bob Keller</strong>", `id="month-heading" tabindex="-1">December 2026<`,
		`aria-label="14:00 CET, Thursday 3 December 2026"`)
	frag := h.get(t, path+"/reschedule?day=2026-12-03", FragmentHeader, "1")
	if !strings.HasPrefix(frag.Body, `<div id="picker"`) {
		t.Fatalf("fragment:\n%s", frag.Body)
	}
	confirm := h.get(t, path+"/reschedule?start=2026-12-03T13%3A00%3A00Z&tz=Europe%2FBerlin")
	wantHTML(t, confirm, "Move to this time?", "<s>Wednesday 2 December 2026, 10:00–10:30 CET</s>",
		"<strong>Thursday 3 December 2026, 14:00–14:30 CET</strong>")
	res := h.submit(t, confirm, path+"/reschedule", nil)
	moved := h.follow(t, res)
	wantHTML(t, moved, "Your booking has been moved.", "Thursday 3 December 2026, 14:00–14:30 CET")
	if b := h.sched.bookings[h.bookingID(t, path)]; !b.Start.Equal(time.Date(2026, 12, 3, 13, 0, 0, 0, time.UTC)) || b.StaffID != "staff_bob" {
		t.Fatalf("booking = %v with %s", b.Start, b.StaffID)
	}
}

func TestRescheduleToTakenTimeShowsPickerAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_cut", slotStart, "staff_bob")
	confirm := h.get(t, path+"/reschedule?start=2026-12-03T13%3A00%3A00Z&tz=Europe%2FBerlin")
	h.book(t, "svc_cut", "2026-12-03T13:00:00Z", "staff_bob")
	p := h.submit(t, confirm, path+"/reschedule", nil)
	wantStatus(t, p, http.StatusConflict)
	wantHTML(t, p, "Sorry — someone else just booked that time.", `id="slots-heading">Thursday 3 December 2026<`)
	if b := h.sched.bookings[h.bookingID(t, path)]; b.Status != scheduling.StatusConfirmed || !b.Start.Equal(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("booking moved anyway: %+v", b)
	}
}

func TestChangePostsNeedAValidToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_colour", colourStart, "")
	h.pay.open(h.bookingID(t, path))
	cancelToken := hiddenFields(t, h.get(t, path+"/cancel").Body, path+"/cancel")
	for _, action := range []string{"/pay", "/reschedule"} {
		p := h.post(t, path+action, cancelToken) // a token for another form
		wantStatus(t, p, http.StatusForbidden)
	}
	if b := h.sched.bookings[h.bookingID(t, path)]; b.Status != scheduling.StatusPending {
		t.Fatalf("status = %s, want pending", b.Status)
	}
}

func TestPayLinkOfTheEmailsOpensThePaymentSection(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_colour", colourStart, "")
	p := h.get(t, path+"/pay?tz=Asia/Tokyo")
	wantStatus(t, p, http.StatusSeeOther)
	if loc := p.Header.Get("Location"); loc != path+"?tz=Asia%2FTokyo#pay" {
		t.Fatalf("Location = %q", loc)
	}
	wantStatus(t, h.get(t, "/m/unknown/pay"), http.StatusNotFound)
}
