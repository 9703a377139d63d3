package browsertest

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// (e) Two guests, each in their own browser, open the booking form of the
// same time; the first to send it is booked, the second sees that the
// time is taken and the day's remaining times; the business has exactly
// one booking at that time.
func TestTwoGuestsBookTheSameTime(t *testing.T) {
	s := startSite(t)
	first := newBrowser(t, true)
	second := newBrowser(t, true)
	day := weekdays(2)[1]
	start := at(day, "10:00")

	for _, b := range []*browser{first, second} {
		b.open(s.Base + demoPath)
		follow(b, "open the Intro call", linkContaining(freeService))
		b.pickDay(day)
		follow(b, "the 10:00 time", slotLink("10:00"))
		b.expectText("h1", "Your details")
	}
	first.fillGuest(guest{Name: "First Guest", Email: "first.race@example.com"})
	second.fillGuest(guest{Name: "Second Guest", Email: "second.race@example.com"})

	if status := follow(first, "Book now, first guest", button("Book now")); status != http.StatusOK {
		t.Fatalf("the first guest's Book now: HTTP %d: %s", status, first.mainText())
	}
	first.expectText(".banner", "You're booked")

	status := follow(second, "Book now, second guest", button("Book now"))
	if status != http.StatusConflict {
		t.Errorf("the second guest's Book now: HTTP %d, want 409", status)
	}
	second.expectText("h1", "Pick another time")
	second.expectText(`[role="alert"]`, "someone else just booked this time")
	if hasElement(second, "form #name") {
		t.Errorf("the taken state still shows the form")
	}
	times := second.texts("#slots a.slot")
	clock := func(c string) bool {
		return slices.ContainsFunc(times, func(s string) bool { return strings.HasPrefix(s, c+" ") })
	}
	for _, c := range []string{"09:45", "10:00", "10:15"} { // 30 minutes: these overlap 10:00–10:30
		if clock(c) {
			t.Errorf("the taken state offers %s, which overlaps the booking just made; times: %q", c, times)
		}
	}
	for _, c := range []string{"09:30", "10:30"} {
		if !clock(c) {
			t.Errorf("the taken state does not offer %s, still free; times: %q", c, times)
		}
	}

	var active []apiBooking
	for _, bk := range demoBookings(t, s, day) {
		if bk.StartTime.Equal(start) && bk.Status != "cancelled" && bk.Status != "expired" {
			active = append(active, bk)
		}
	}
	if len(active) != 1 {
		t.Fatalf("%d bookings at %s, want exactly 1: %+v", len(active), start, active)
	}
	if c := active[0].Client; c == nil || c.Email != "first.race@example.com" {
		t.Errorf("the booking at %s is the client's %+v, want the first guest's", start, c)
	}
}
