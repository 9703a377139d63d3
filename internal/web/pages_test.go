package web

import (
	"net/http"
	"strings"
	"testing"
)

func TestLanding(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(t, "/")
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, "<h1>Appointments, booked online</h1>", `href="/signin"`, `href="/b/rosa"`, `<main id="main"`, "<footer")
}

func TestBusinessPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(t, "/b/rosa")
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, "<h1>Salon Rosa</h1>", "Cuts and colour in a quiet studio near the park.",
		`<address class="address">Parkstraße 12<br>10115 Berlin</address>`, "Haircut", "Wash, cut and style.", "30 min", "Free",
		"Colour", "1 h 30 min", "€120.00", `href="/b/rosa/svc_colour"`, "Alice Martin", "Bob Keller")
}

func TestUnknownThingsAreHTML404(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, path := range []string{
		"/b/nope", "/b/nope/svc_cut", "/b/rosa/svc_nope", "/b/rosa/svc_nope/book?start=2026-12-02T09:00:00Z",
		"/b/rosa/svc_cut/book/extra", "/m/booking_nope/token", "/m/booking_nope/token/cancel", "/m/x", "/b/",
	} {
		t.Run(path, func(t *testing.T) {
			p := h.get(t, path)
			wantStatus(t, p, http.StatusNotFound)
			wantHTML(t, p, "Page not found")
			wantNot(t, p, `"error"`)
		})
	}
}

func TestServicePageShowsMonthDaysAndSlots(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(t, "/b/rosa/svc_cut")
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p,
		"<h1>Haircut</h1>", `<h2 id="month-heading" tabindex="-1">December 2026</h2>`,
		// Today (Tuesday 1 December, 11:00 in Berlin) still has afternoon slots: it is chosen.
		`aria-label="Tuesday 1 December 2026, 13 free times" aria-current="true"`,
		`aria-label="Wednesday 2 December 2026, 18 free times"`,
		`<span class="day" aria-disabled="true"><span class="visually-hidden">Sunday 6 December 2026, no free times</span>`,
		`aria-label="11:30 CET, Tuesday 1 December 2026"`,
		`aria-label="Next month, January 2027"`,
		"Times in Europe/Berlin (CET).",
		`<option value="Europe/Berlin" selected>`,
		`aria-current="true">Anyone</a>`, ">Alice Martin</a>", ">Bob Keller</a>",
	)
	wantNot(t, p, "Previous month", "11:00 CET, Tuesday") // past months and times are not offered
}

func TestServicePageChosenDayAndStaff(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(t, "/b/rosa/svc_colour?day=2026-12-08&staff=staff_alice&tz=Europe/Berlin")
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, `<h2 id="slots-heading">Tuesday 8 December 2026</h2>`,
		`href="/b/rosa/svc_colour/book?staff=staff_alice&amp;start=2026-12-08T08%3A00%3A00Z&amp;tz=Europe%2FBerlin"`,
		`aria-label="09:00 CET, Tuesday 8 December 2026"`, `aria-label="16:30 CET, Tuesday 8 December 2026"`)
	wantNot(t, p, ">Bob Keller</a>") // Bob doesn't colour: one performer, no staff choice
}

func TestServicePageZoneMovesLateSlotToNextDay(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// 17:30 in Berlin on Wednesday 2 December is 05:30 on Thursday 3 December in Auckland.
	berlin := h.get(t, "/b/rosa/svc_cut?day=2026-12-02&tz=Europe/Berlin")
	wantHTML(t, berlin, `aria-label="17:30 CET, Wednesday 2 December 2026"`)
	auckland := h.get(t, "/b/rosa/svc_cut?day=2026-12-03&tz=Pacific/Auckland")
	wantStatus(t, auckland, http.StatusOK)
	wantHTML(t, auckland, `aria-label="05:30 NZDT, Thursday 3 December 2026"`,
		"Times in Pacific/Auckland (NZDT). The business is in Europe/Berlin (CET).",
		`<option value="Pacific/Auckland" selected>`)
}

func TestServicePageClampsToBookableMonths(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tests := []struct {
		name, query string
		want        []string
	}{
		{"past month shows the current one", "month=2025-06", []string{"June 2025 has passed, so we&#39;re showing December 2026.", `id="month-heading" tabindex="-1">December 2026<`}},
		{"past day shows its month without it", "day=2026-11-30", []string{"November 2026 has passed", `id="month-heading" tabindex="-1">December 2026<`}},
		{"beyond the horizon shows the last month", "month=2027-09", []string{"Bookings open up to 30 January 2027, so we&#39;re showing January 2027.", `id="month-heading" tabindex="-1">January 2027<`}},
		{"a day beyond the horizon is dropped", "day=2027-01-31", []string{"Sunday 31 January 2027 can&#39;t be booked", `id="month-heading" tabindex="-1">January 2027<`}},
		{"unknown zone falls back to the business's", "tz=Mars/Olympus", []string{"We don&#39;t know the time zone &#34;Mars/Olympus&#34;", "Times in Europe/Berlin"}},
		{"unknown staff falls back to anyone", "staff=staff_nobody", []string{"isn&#39;t available for this service", `aria-current="true">Anyone</a>`}},
		{"garbage month is ignored", "month=soon", []string{`id="month-heading" tabindex="-1">December 2026<`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := h.get(t, "/b/rosa/svc_cut?"+tt.query)
			wantStatus(t, p, http.StatusOK)
			wantHTML(t, p, tt.want...)
		})
	}
}

func TestServicePageFragment(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(t, "/b/rosa/svc_cut?month=2027-01&tz=Asia/Tokyo", FragmentHeader, "1")
	wantStatus(t, p, http.StatusOK)
	if !strings.HasPrefix(p.Body, `<div id="picker"`) || strings.Contains(p.Body, "<html") {
		t.Fatalf("fragment is not the picker alone:\n%s", p.Body)
	}
	wantHTML(t, p, `data-announce="Friday 1 January 2027: 18 free times."`, `data-tz="Asia/Tokyo"`, `id="month-heading" tabindex="-1">January 2027<`)
	if v := p.Header.Values("Vary"); !strings.Contains(strings.Join(v, ","), FragmentHeader) {
		t.Errorf("Vary = %v, want %s in it", v, FragmentHeader)
	}
}

func TestHostileNamesStayText(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pages := []string{"/b/evil", "/b/evil/svc_x", "/b/evil/svc_x/book?start=2026-12-02T09:00:00Z&tz=Europe/Berlin"}
	for _, path := range pages {
		t.Run(path, func(t *testing.T) {
			p := h.get(t, path)
			wantStatus(t, p, http.StatusOK)
			wantHTML(t, p, "&lt;script&gt;alert(1)&lt;/script&gt; Salon")
			wantNot(t, p, "<script>alert", "<img src=x", "<b onmouseover")
		})
	}
}
