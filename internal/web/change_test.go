package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/payment"
)

// TestReschedulePickerOffersTimesOverlappingTheBooking: a 60-minute
// booking at 10:00 can be moved to 10:30 through the picker — the
// picker's search leaves the booking's own time out (and only on the
// manage page, after its token was checked), the public one does not.
func TestReschedulePickerOffersTimesOverlappingTheBooking(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_massage", slotStart, "staff_alice") // Wednesday 2 December, 10:00–11:00 Berlin
	id := h.bookingID(t, path)
	const at1030 = `aria-label="10:30 CET, Wednesday 2 December 2026"`

	public := h.get(t, "/b/rosa/svc_massage?day=2026-12-02&staff=staff_alice&tz=Europe/Berlin")
	wantStatus(t, public, http.StatusOK)
	wantNot(t, public, at1030)

	wantStatus(t, h.get(t, "/m/not-the-token/reschedule?day=2026-12-02"), http.StatusNotFound)
	for _, q := range h.sched.queries {
		if q.IgnoreBookingID != "" {
			t.Fatalf("a search without the booking's token left a booking out: %+v", q)
		}
	}

	picker := h.get(t, path+"/reschedule?day=2026-12-02&tz=Europe/Berlin")
	wantStatus(t, picker, http.StatusOK)
	wantHTML(t, picker, at1030, `aria-label="10:00 CET, Wednesday 2 December 2026"`)
	if q := h.sched.queries[len(h.sched.queries)-1]; q.IgnoreBookingID != id || q.StaffID != "staff_alice" {
		t.Fatalf("the picker's search = %+v, want booking %s left out", q, id)
	}

	confirm := h.get(t, path+"/reschedule?start=2026-12-02T09%3A30%3A00Z&tz=Europe%2FBerlin")
	wantHTML(t, confirm, "<strong>Wednesday 2 December 2026, 10:30–11:30 CET</strong>")
	moved := h.follow(t, h.submit(t, confirm, path+"/reschedule", nil))
	wantHTML(t, moved, "Your booking has been moved.", "Wednesday 2 December 2026, 10:30–11:30 CET")
	if b := h.sched.bookings[id]; !b.Start.Equal(time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("booking starts at %v", b.Start)
	}
}

// TestCancelStatesThePaymentServicesQuote: the cancel page states the
// payment service's quote for now — its amount, what was paid, its rule
// in words — with no policy of its own.
func TestCancelStatesThePaymentServicesQuote(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.pay.policy = payment.RefundPolicy{Window: 48 * time.Hour, LatePercent: 50}
	path := h.book(t, "svc_colour", colourStart, "") // Tuesday 8 December, 10:00 Berlin
	id := h.bookingID(t, path)

	notYet := h.get(t, path+"/cancel")
	wantHTML(t, notYet, "You haven&#39;t paid for this booking, so nothing will be charged.",
		"Cancellations at least 2 days before the start are refunded in full; later ones get 50% back.")

	h.pay.open(id)
	h.submit(t, h.get(t, path), path+"/pay", url.Values{"card": {"4242424242424242"}})
	early := h.get(t, path+"/cancel")
	wantHTML(t, early, "If you cancel now, you get a full refund of €120.00.",
		"Cancellations at least 2 days before the start are refunded in full; later ones get 50% back.")

	h.mu.Lock()
	h.now = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC) // 24 hours before the start
	h.mu.Unlock()
	late := h.get(t, path+"/cancel")
	wantHTML(t, late, "If you cancel now, you get €60.00 back of the €120.00 you paid.")
	h.pay.mu.Lock()
	asked := h.pay.quotes[len(h.pay.quotes)-1]
	h.pay.mu.Unlock()
	if !asked.Equal(h.now) {
		t.Errorf("quote asked for %v, want now (%v)", asked, h.now)
	}
}
