package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/web/csrf"
)

const (
	formPath  = "/b/rosa/svc_cut/book"
	slotStart = "2026-12-02T09:00:00Z" // 10:00 in Berlin
	slotQuery = "?start=2026-12-02T09%3A00%3A00Z&staff=staff_alice&tz=Europe%2FBerlin"
)

var keyRE = regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`)

func TestBookFormRestatesTheSlot(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(t, formPath+slotQuery)
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, "<h1>Your details</h1>", "Haircut with Alice Martin", "Wednesday 2 December 2026, 10:00–10:30 CET",
		`<label for="name">Name</label>`, `type="email" autocomplete="email" required`, `<label for="note">`,
		`name="`+csrf.FieldName+`"`, `name="start" value="2026-12-02T09:00:00Z"`, "Book now")
	again := h.get(t, formPath+slotQuery)
	if keyRE.FindStringSubmatch(p.Body)[1] == keyRE.FindStringSubmatch(again.Body)[1] {
		t.Error("two renders of the form share an idempotency key")
	}
}

func TestBookFormInOtherZoneShowsBothTimes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(t, formPath+"?start=2026-12-02T09%3A00%3A00Z&tz=America%2FNew_York")
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, "Wednesday 2 December 2026, 04:00–04:30 EST", "At the business: Wednesday 2 December 2026, 10:00–10:30 CET")
}

func TestBookFormForGoneSlotOffersTheDaysOthers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.book(t, "svc_cut", slotStart, "staff_alice")
	p := h.get(t, formPath+slotQuery)
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, "this time is no longer available", `aria-label="10:30 CET, Wednesday 2 December 2026"`)
	wantNot(t, p, `name="email"`)
}

func TestBookFormMalformedStartIs400(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(t, formPath+"?start=tomorrow")
	wantStatus(t, p, http.StatusBadRequest)
	wantHTML(t, p, "This link doesn&#39;t work", `href="/b/rosa/svc_cut"`)
}

func TestBookingRedirectsToManagePage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	form := h.get(t, formPath+slotQuery)
	res := h.submit(t, form, formPath, url.Values{"name": {"Ada Guest"}, "email": {"ada@example.com"}, "phone": {"+49 30 1234"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/m/") || !strings.Contains(loc, "done=booked") {
		t.Fatalf("Location = %q, want the manage page", loc)
	}
	p := h.follow(t, res)
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, "You&#39;re booked.", "<h1>Haircut</h1>", "Confirmed", "Wednesday 2 December 2026, 10:00–10:30 CET",
		"Alice Martin", "Ada Guest", "ada@example.com", "Download .ics file", "https://calendar.google.com/calendar/render?")
	if text := visibleText(p.Body); strings.Contains(text, "booking_") || strings.Contains(text, "staff_") {
		t.Errorf("people see internal ids:\n%s", text)
	}
}

func TestDoubleSubmitMakesOneBooking(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	form := h.get(t, formPath+slotQuery)
	fields := url.Values{"name": {"Ada Guest"}, "email": {"ada@example.com"}}
	first := h.submit(t, form, formPath, fields)
	wantStatus(t, first, http.StatusSeeOther)
	second := h.submit(t, form, formPath, fields)
	wantStatus(t, second, http.StatusOK)
	wantHTML(t, second, "You've already booked this time", "Wednesday 2 December 2026, 10:00–10:30 CET")
	if h.sched.created != 1 {
		t.Fatalf("bookings made = %d, want 1", h.sched.created)
	}
}

func TestBookingTakenMeanwhileShowsRemainingSlots(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	form := h.get(t, formPath+slotQuery)
	h.book(t, "svc_cut", slotStart, "staff_alice") // someone else is faster
	p := h.submit(t, form, formPath, url.Values{"name": {"Ada Guest"}, "email": {"ada@example.com"}})
	wantStatus(t, p, http.StatusConflict)
	wantHTML(t, p, `role="alert">Sorry — someone else just booked this time.`, "Other free times on Wednesday 2 December 2026",
		`aria-label="10:30 CET, Wednesday 2 December 2026"`)
	wantNot(t, p, `aria-label="10:00 CET, Wednesday 2 December 2026"`)
}

func TestBookingFieldErrorsKeepInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	form := h.get(t, formPath+slotQuery)
	key := keyRE.FindStringSubmatch(form.Body)[1]
	p := h.submit(t, form, formPath, url.Values{"name": {"Ada <Guest>"}, "email": {"not-an-address"}, "note": {"Short please"}})
	wantStatus(t, p, http.StatusBadRequest)
	wantHTML(t, p, `value="Ada &lt;Guest&gt;"`, `value="not-an-address" aria-describedby="email-error email-hint" aria-invalid="true"`,
		`<p id="email-error" class="field-error">E-mail must be an e-mail address.</p>`, ">Short please</textarea>",
		`name="idempotency_key" value="`+key+`"`)
	wantNot(t, p, "client.email")
}

func TestBookingRefusesBadForms(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	form := h.get(t, formPath+slotQuery)
	good := hiddenFields(t, form.Body, formPath)
	good.Set("name", "Ada")
	good.Set("email", "ada@example.com")
	otherAction := url.Values{}
	for k, v := range good {
		otherAction[k] = v
	}
	otherAction.Set(csrf.FieldName, h.site.csrf.Token("/b/rosa/svc_colour/book", ""))
	noToken := url.Values{}
	for k, v := range good {
		if k != csrf.FieldName {
			noToken[k] = v
		}
	}
	tests := []struct {
		name string
		form url.Values
		hdr  []string
	}{
		{"without a token", noToken, nil},
		{"with another form's token", otherAction, nil},
		{"from another site", good, []string{"Sec-Fetch-Site", "cross-site"}},
		{"from another origin", good, []string{"Origin", "https://evil.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := h.post(t, formPath, tt.form, tt.hdr...)
			wantStatus(t, p, http.StatusForbidden)
			wantHTML(t, p, "This form has expired", "Nothing was changed")
		})
	}
	if h.sched.created != 0 {
		t.Fatalf("bookings made = %d, want 0", h.sched.created)
	}
}

func TestReplayWithoutTokenStillShowsTheBooking(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	form := h.get(t, formPath+slotQuery)
	fields := url.Values{"name": {"Ada Guest"}, "email": {"ada@example.com"}}
	wantStatus(t, h.submit(t, form, formPath, fields), http.StatusSeeOther)
	var b scheduling.Booking
	for _, x := range h.sched.bookings {
		b = *x
	}
	p := h.submit(t, form, formPath, fields)
	wantHTML(t, p, "Haircut with Alice Martin", "Confirmed")
	if b.Status != scheduling.StatusConfirmed {
		t.Fatalf("status = %s", b.Status)
	}
}
