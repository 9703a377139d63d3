package browsertest

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// (a) A guest books the free Intro call with JavaScript on: the landing
// page, the business, the service, a day (swapped in place: focus moves
// to the times, the live region announces them), a time, the form, the
// booking's page; the confirmation e-mail arrives. Also measures
// navigation start → free times visible.
func TestGuestBooksFreeServiceWithJavaScript(t *testing.T) {
	s := startSite(t)
	b := newBrowser(t, true)
	b.installSlotTimer()
	days := weekdays(2)
	day := days[1] // not the first bookable day, which the page shows already

	// Measured, first: a guest who follows a link straight to the
	// service page, nothing in the browser's cache yet.
	_, business := get(t, s.Base+demoPath)
	service := hrefOf(business, freeService)
	if service == "" {
		t.Fatalf("no link to the %s on the business page:\n%s", freeService, business)
	}
	b.open(s.Base + service)
	b.measureSlotsVisible("service page, first visit (nothing cached)")

	b.open(s.Base + "/")
	follow(b, "the demo link of the landing page", link("See the demo booking page"))
	b.expectText("h1", "Demo Studio")
	follow(b, "the Intro call", linkContaining(freeService))
	b.expectText("h1", freeService)
	b.measureSlotsVisible("service page, followed from the business page")

	b.pickDay(day)
	b.waitJS("focus on the list of times after choosing a day", 5*time.Second,
		`document.activeElement !== null && document.activeElement.id === "slots"`)
	announced := day.Format(dayLayout) + ": "
	b.waitJS("the live region announcing the day's times", 5*time.Second, fmt.Sprintf(`(() => {
		const live = document.getElementById("live");
		return live.getAttribute("aria-live") === "polite" && live.textContent.startsWith(%s) && / free times?\.$/.test(live.textContent);
	})()`, js(announced)))
	if loc := b.location(); !strings.Contains(loc, "day="+day.Format(time.DateOnly)) {
		t.Errorf("after choosing %s with JavaScript, the address is %s: the back button would not return to this day", day.Format(dayLayout), loc)
	}

	start := at(day, "10:00")
	follow(b, "the 10:00 time", slotLink("10:00"))
	b.expectText("h1", "Your details")
	when := fmt.Sprintf("%s, 10:00–10:30 %s", day.Format(dayLayout), start.Format("MST"))
	b.expectText(".summary", when)

	g := guest{Name: "Ada Lovelace", Email: "ada.js@example.com", Phone: "+49 30 1234567", Note: "First time here."}
	b.fillGuest(g)
	if status := follow(b, "Book now", button("Book now")); status != http.StatusOK {
		t.Fatalf("Book now: HTTP %d: %s", status, b.mainText())
	}
	if loc := b.location(); !strings.Contains(loc, "/m/") {
		t.Fatalf("after Book now, on %s: %s", loc, b.mainText())
	}
	b.expectText(".banner", "You're booked")
	b.expectText(".status", "Confirmed")
	b.expectText(".details", when)
	b.expectText(".details", g.Name)

	mail := waitMail(t, s, g.Email, "Confirmed:")
	for _, want := range []string{freeService, "Demo Studio"} {
		if !strings.Contains(mail.Text, want) {
			t.Errorf("the confirmation e-mail's text has no %q:\n%s", want, mail.Text)
		}
	}
}

// hrefOf is the target of the first link in page (HTML) whose content
// contains text ("" for none).
func hrefOf(page, text string) string {
	for _, a := range strings.Split(page, "<a ")[1:] {
		content, _, _ := strings.Cut(a, "</a>")
		if !strings.Contains(content, text) {
			continue
		}
		if m := hrefRe.FindStringSubmatch(content); m != nil {
			return html.UnescapeString(m[1])
		}
	}
	return ""
}

var hrefRe = regexp.MustCompile(`href="([^"]*)"`)

// (b) The same without JavaScript: every step is a real URL whose first
// HTML response already shows it, and the form posts and redirects.
func TestGuestBooksFreeServiceWithoutJavaScript(t *testing.T) {
	s := startSite(t)
	b := newBrowser(t, false)
	day := weekdays(3)[2]

	b.open(s.Base + "/")
	follow(b, "the demo link of the landing page", link("See the demo booking page"))
	if loc := b.location(); loc != s.Base+demoPath {
		t.Fatalf("the demo link leads to %s, want %s", loc, s.Base+demoPath)
	}
	follow(b, "the Intro call", linkContaining(freeService))
	b.expectText("h1", freeService)

	b.pickDay(day)
	dayURL := b.location()
	if !strings.Contains(dayURL, "day="+day.Format(time.DateOnly)) {
		t.Fatalf("the chosen day's address %s does not name the day", dayURL)
	}
	status, body := get(t, dayURL)
	start := at(day, "14:30")
	if status != http.StatusOK || !strings.Contains(body, url.QueryEscape(start.UTC().Format(time.RFC3339))) {
		t.Errorf("GET %s (the day's address, outside the browser): HTTP %d, the 14:30 time in it: %v", dayURL, status, strings.Contains(body, url.QueryEscape(start.UTC().Format(time.RFC3339))))
	}

	follow(b, "the 14:30 time", slotLink("14:30"))
	formURL := b.location()
	if u, err := url.Parse(formURL); err != nil || !strings.HasSuffix(u.Path, "/book") || u.Query().Get("start") != start.UTC().Format(time.RFC3339) {
		t.Fatalf("the booking form's address %s does not name the time %s", formURL, start.UTC().Format(time.RFC3339))
	}
	b.expectText("h1", "Your details")
	if status, body := get(t, formURL); status != http.StatusOK || !strings.Contains(body, "Your details") {
		t.Errorf("GET %s (the booking form's address, outside the browser): HTTP %d, the form in it: %v", formURL, status, strings.Contains(body, "Your details"))
	}

	// A hostile name stays text.
	g := guest{Name: `<script>alert("x")</script> Grace`, Email: "grace.nojs@example.com"}
	b.fillGuest(g)
	if status := follow(b, "Book now", button("Book now")); status != http.StatusOK {
		t.Fatalf("Book now: HTTP %d: %s", status, b.mainText())
	}
	loc := b.location()
	if !strings.Contains(loc, "/m/") {
		t.Fatalf("after Book now, on %s: %s", loc, b.mainText())
	}
	nav := value(b, "the navigation's timing", chromedp.Evaluate[struct {
		Type          string `json:"type"`
		RedirectCount int    `json:"redirectCount"`
	}](`(() => { const n = performance.getEntriesByType("navigation")[0]; return {type: n.type, redirectCount: n.redirectCount}; })()`))
	if nav.RedirectCount != 1 {
		t.Errorf("the booking's page was reached with %d redirects (navigation type %q), want the form's POST answered by one redirect", nav.RedirectCount, nav.Type)
	}
	b.expectText(".banner", "You're booked")
	b.expectText(".status", "Confirmed")
	b.expectText(".details", fmt.Sprintf("%s, 14:30–15:00 %s", day.Format(dayLayout), start.Format("MST")))
	b.expectText(".details", g.Name)
	if n := value(b, "count scripts", chromedp.Evaluate[int](`document.querySelectorAll("main script, main b").length`)); n != 0 {
		t.Errorf("the guest's name made %d elements in the page", n)
	}

	mail := waitMail(t, s, g.Email, "Confirmed:")
	if !strings.Contains(mail.Text, freeService) {
		t.Errorf("the confirmation e-mail's text has no %q:\n%s", freeService, mail.Text)
	}
}

// (c) A paid booking: the declined card 4000 0000 0000 0002 shows the
// reason in words and the form again, the booking still awaiting payment;
// 4242 4242 4242 4242 then confirms it (asynchronously: the page refreshes
// itself until it is).
func TestPaidBookingDeclinedThenPaid(t *testing.T) {
	s := startSite(t)
	b := newBrowser(t, true)
	day := weekdays(3)[2] // more than the refund window (24 h) ahead
	g := guest{Name: "Katherine Johnson", Email: "katherine.paid@example.com"}
	b.bookThroughPages(s, paidService, day, "11:00", g)

	b.expectText(".status", "Awaiting payment")
	b.waitJS("the card form (the payment is set up asynchronously)", 30*time.Second, `document.getElementById("card") !== null`)
	b.expectText("#pay", "Pay €60.00 by ")

	b.typeInto("Card number", "4000 0000 0000 0002")
	if status := follow(b, "Pay €60.00", button("Pay €60.00")); status != http.StatusOK {
		t.Fatalf("Pay with the declined card: HTTP %d: %s", status, b.mainText())
	}
	b.expectText(`#pay [role="alert"]`, "Your card was declined.")
	if b.textOf(".status") != "Awaiting payment" || !hasElement(b, "#card") {
		t.Fatalf("after a declined card the booking should still await payment with the card form shown; status %q, card form: %v; page: %s",
			b.textOf(".status"), hasElement(b, "#card"), b.mainText())
	}
	for _, code := range []string{"card_declined", "payment_failed"} {
		if strings.Contains(b.mainText(), code) {
			t.Errorf("the page shows the internal code %q", code)
		}
	}

	b.typeInto("Card number", "4242 4242 4242 4242")
	if status := follow(b, "Pay €60.00", button("Pay €60.00")); status != http.StatusOK {
		t.Fatalf("Pay with the good card: HTTP %d: %s", status, b.mainText())
	}
	if status := b.textOf(".status"); status != "Awaiting payment" && status != "Confirmed" {
		t.Fatalf("the second attempt, with 4242 4242 4242 4242, was refused: the booking is %q; page: %s", status, b.mainText())
	}
	b.waitJS("the booking confirmed (the page refreshes itself)", 30*time.Second,
		`(document.querySelector(".status") || {}).innerText === "Confirmed"`)
	if banner := b.textOf(".banner"); !strings.Contains(banner, "payment was received") {
		t.Errorf("paid with 4242… and confirmed, the banner says %q; page: %s", banner, b.mainText())
	}
	waitMail(t, s, g.Email, "Confirmed:")

	// Before cancelling, the page states the refund.
	follow(b, "Cancel booking", link("Cancel booking"))
	b.expectText("h1", "Cancel this booking?")
	b.expectText("main", "If you cancel now, you get a full refund of €60.00.")
}

// hasElement reports whether the page has an element matching css.
func hasElement(b *browser, css string) bool {
	b.t.Helper()
	return value(b, "look for "+css, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%s) !== null`, js(css))))
}
