package browsertest

// What a person does on the pages — open a page, follow a link or send a
// form, pick a day and a time, fill in the booking form — and what the
// tests read back: texts of the page, the e-mails received, the API.
// Elements are found as a person finds them where the page allows it: a
// link or button by its text, a field by its label, a day or a time by
// its accessible name.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/slotwise/slotwise/internal/notification/smtptest"
)

// Layouts of the pages' dates (internal/web/format.go).
const (
	dayLayout   = "Monday 2 January 2006"
	monthLayout = "January 2006"
)

// The demo business (internal/demo): its zone, and its services' names.
const (
	demoPath    = "/b/demo"
	freeService = "Intro call"
	paidService = "Consultation"
)

var demoZone = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// weekdays returns the next n weekdays after today in the demo's zone
// (its staff work Monday to Friday, 09:00–17:00), each at midnight there.
// Tomorrow at the earliest, so that no time of the day passes while a
// test runs.
func weekdays(n int) []time.Time {
	y, m, d := time.Now().In(demoZone).Date()
	var out []time.Time
	for i := 1; len(out) < n; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, demoZone)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			out = append(out, day)
		}
	}
	return out
}

// at is the instant of a clock time ("16:30") on day, in day's zone.
func at(day time.Time, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", day.Format("2006-01-02")+" "+clock, day.Location())
	if err != nil {
		panic(err)
	}
	return t
}

// guest is what a guest types into the booking form.
type guest struct {
	Name, Email, Phone, Note string
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	raw, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(raw)
}

// xq quotes s as an XPath string literal.
func xq(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	return `concat("` + strings.ReplaceAll(s, `"`, `", '"', "`) + `")`
}

// link is the link whose text is name; linkContaining, whose text
// contains it; button, the button whose text is name; field, the form
// field whose label starts with label.
func link(name string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//a[normalize-space(.)=%s]`, xq(name)))
}

func linkContaining(text string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//a[contains(normalize-space(.), %s)]`, xq(text)))
}

func button(name string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//button[normalize-space(.)=%s]`, xq(name)))
}

func field(label string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//*[@id=//label[starts-with(normalize-space(.), %s)]/@for]`, xq(label)))
}

// dayLink is a bookable day of the calendar, by its accessible name
// ("Monday 7 December 2026, 31 free times"); slotLink is a free time of the
// chosen day by its clock time ("10:00 CET, Monday 7 December 2026").
func dayLink(day time.Time) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`#picker a.day[aria-label^=%s]`, js(day.Format(dayLayout)+",")))
}

func slotLink(clock string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`#slots a.slot[aria-label^=%s]`, js(clock+" ")))
}

// open navigates to url and waits for it to load.
func (b *browser) open(url string) {
	b.t.Helper()
	b.do("open "+url, chromedp.Navigate(url))
}

// follow clicks sel — a link, or a form's submit button — and waits until
// the page it leads to has loaded (after redirects); it returns that
// page's HTTP status.
func follow[S chromedp.Selectable](b *browser, what string, sel S) int64 {
	b.t.Helper()
	return b.load(what, chromedp.Click(sel))
}

// load runs act, which leads to another page, and waits for it to load.
func (b *browser) load(what string, act chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, act)
	if err != nil {
		b.t.Fatalf("%s: %v (on %s)", what, err, b.location())
	}
	if resp == nil {
		b.t.Fatalf("%s: no page loaded (on %s)", what, b.location())
	}
	return resp.Status
}

// changePicker runs act, which changes the picker (a day, a month, the
// zone), and waits for the new picker: swapped in place with JavaScript
// (the test fails if the page was loaded again instead), a new page
// without.
func (b *browser) changePicker(what string, act chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if !b.js {
		if status := b.load(what, act); status != http.StatusOK {
			b.t.Fatalf("%s: HTTP %d", what, status)
		}
		return
	}
	b.do("mark the picker before "+what, chromedp.Evaluate[chromedp.Void](
		`window.__swSamePage = true; document.getElementById("picker").setAttribute("data-stale", "")`))
	b.do(what, act)
	state := b.waitString(what+": the picker swapped", stepTimeout, `(() => {
		if (!window.__swSamePage) return "the page was loaded again instead of swapping the picker";
		const p = document.getElementById("picker");
		return p && !p.hasAttribute("data-stale") ? "swapped" : "";
	})()`)
	if state != "swapped" {
		b.t.Fatalf("%s: %s (now on %s)", what, state, b.location())
	}
}

// pickDay shows day's month (next month, as often as needed) and chooses
// day in the calendar; its free times are then listed.
func (b *browser) pickDay(day time.Time) {
	b.t.Helper()
	for i := 0; b.textOf("#month-heading") != day.Format(monthLayout); i++ {
		if i == 24 {
			b.t.Fatalf("the calendar never showed %s (shows %q)", day.Format(monthLayout), b.textOf("#month-heading"))
		}
		b.changePicker("show the next month", chromedp.Click(chromedp.CSS(`#picker a[aria-label^="Next month, "]`)))
	}
	label := day.Format(dayLayout)
	b.changePicker("choose "+label, chromedp.Click(dayLink(day)))
	if got := b.textOf("#slots-heading"); got != label {
		b.t.Fatalf("after choosing %s, the times listed are of %q", label, got)
	}
}

// chooseZone picks zone in the zone picker: with JavaScript the picker
// changes as soon as it is chosen; without, after "Show times".
func (b *browser) chooseZone(zone string) {
	b.t.Helper()
	pick := chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const s = document.getElementById("tz");
		s.focus();
		s.value = %s;
		if (s.value !== %[1]s) throw new Error("no option " + %[1]s);
		s.dispatchEvent(new Event("input", {bubbles: true}));
		s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`, js(zone)))
	if b.js {
		b.changePicker("choose the zone "+zone, pick)
		return
	}
	b.do("choose the zone "+zone, pick)
	b.changePicker("show the times in "+zone, chromedp.Click(button("Show times")))
}

// fillGuest types g into the booking form, replacing what is there.
func (b *browser) fillGuest(g guest) {
	b.t.Helper()
	for _, f := range []struct{ label, value string }{
		{"Name", g.Name}, {"E-mail", g.Email}, {"Phone", g.Phone}, {"Note", g.Note},
	} {
		b.typeInto(f.label, f.value)
	}
}

// typeInto replaces the text of the field labelled label with text, typed
// key by key.
func (b *browser) typeInto(label, text string) {
	b.t.Helper()
	sel := field(label)
	// SetValue cannot set "": clear the field in the page instead.
	b.do("clear the field "+label, chromedp.Focus(sel), chromedp.Evaluate[chromedp.Void](`document.activeElement.value = ""`))
	if text != "" {
		b.do("type into the field "+label, chromedp.SendKeys(sel, text))
	}
}

// bookThroughPages books a time as a guest, from the business page on,
// and returns the manage page it ends on.
func (b *browser) bookThroughPages(s *site, service string, day time.Time, clock string, g guest) string {
	b.t.Helper()
	b.open(s.Base + demoPath)
	follow(b, "open "+service, linkContaining(service))
	b.pickDay(day)
	follow(b, "choose "+clock, slotLink(clock))
	b.fillGuest(g)
	send := "Book now"
	if service == paidService {
		send = "Continue to payment"
	}
	if status := follow(b, send, button(send)); status != http.StatusOK {
		b.t.Fatalf("%s: HTTP %d: %s", send, status, b.mainText())
	}
	loc := b.location()
	if !strings.Contains(loc, "/m/") {
		b.t.Fatalf("after %s, on %s, not on the booking's page: %s", send, loc, b.mainText())
	}
	return loc
}

// location is the page's URL.
func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return loc
}

// textOf is the rendered text of the first element matching css, its
// white space collapsed; "" when there is none.
func (b *browser) textOf(css string) string {
	b.t.Helper()
	return value(b, "read "+css, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const e = document.querySelector(%s); return e ? e.innerText.replace(/\s+/g, " ").trim() : ""; })()`, js(css))))
}

// texts are the rendered texts of every element matching css, their
// white space collapsed.
func (b *browser) texts(css string) []string {
	b.t.Helper()
	return value(b, "read "+css, chromedp.Evaluate[[]string](fmt.Sprintf(
		`Array.from(document.querySelectorAll(%s), e => e.innerText.replace(/\s+/g, " ").trim())`, js(css))))
}

// mainText is the page's main content, for failure messages.
func (b *browser) mainText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	// Without the zone picker's hundred options.
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const selects = Array.from(document.querySelectorAll("select"), s => [s, s.style.display]);
		selects.forEach(([s]) => { s.style.display = "none"; });
		const text = (document.querySelector("main") || document.body || document.documentElement).innerText;
		selects.forEach(([s, display]) => { s.style.display = display; });
		return text;
	})()`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	text = strings.Join(strings.Fields(text), " ")
	if len(text) > 800 {
		text = text[:800] + "…"
	}
	return fmt.Sprintf("%q", text)
}

// expectText fails unless the first element matching css contains want.
func (b *browser) expectText(css, want string) {
	b.t.Helper()
	if got := b.textOf(css); !strings.Contains(got, want) {
		b.t.Fatalf("%s on %s is %q, want it to contain %q; page: %s", css, b.location(), got, want, b.mainText())
	}
}

// waitJS evaluates expr until it is true or within has passed. It keeps
// polling across page loads (a page that refreshes itself), so it waits
// for a state of the page, not for a step.
func (b *browser) waitJS(what string, within time.Duration, expr string) {
	b.t.Helper()
	b.waitString(what, within, fmt.Sprintf(`((%s) ? "yes" : "")`, expr))
}

// poll evaluates expr until it is true, and reports whether it was
// within the time given.
func (b *browser) poll(within time.Duration, expr string) bool {
	b.t.Helper()
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitString evaluates expr until it gives a non-empty string, and
// returns it; the test fails after within.
func (b *browser) waitString(what string, within time.Duration, expr string) string {
	b.t.Helper()
	deadline := time.Now().Add(within)
	var last error
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		cancel()
		if err == nil && got != "" {
			return got
		}
		last = err
		if time.Now().After(deadline) {
			b.t.Fatalf("timed out after %s waiting for %s (last error: %v); on %s: %s", within, what, last, b.location(), b.mainText())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitMail waits for an e-mail to addr whose subject starts with subject.
func waitMail(t *testing.T, s *site, addr, subject string) smtptest.Parsed {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var seen []string
		for _, m := range s.Mail.To(addr) {
			p, err := smtptest.Parse(m.Raw)
			if err != nil {
				t.Fatalf("e-mail to %s: %v", addr, err)
			}
			if strings.HasPrefix(p.Subject, subject) {
				return p
			}
			seen = append(seen, p.Subject)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no e-mail %q… to %s within 30s; received: %q", subject, addr, seen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// manageLinkRe finds a manage page's link in an e-mail's text.
var manageLinkRe = regexp.MustCompile(`https?://[^\s<>"]+/m/[A-Za-z0-9._~%-]+`)

// ownerLoginRe is the demo owner's login that `slotwise run --demo` prints.
var ownerLoginRe = regexp.MustCompile(`Demo owner login: email (\S+)\s+password (\S+)`)

// ownerToken logs the demo owner in through the API.
func ownerToken(t *testing.T, s *site) string {
	t.Helper()
	m := ownerLoginRe.FindStringSubmatch(s.Stdout.String())
	if m == nil {
		t.Fatalf("no demo owner login in the output of slotwise run --demo:\n%s", s.Stdout.String())
	}
	var session struct {
		AccessToken string `json:"accessToken"`
	}
	if status := callAPI(t, s, "", "POST", "/api/v1/auth/login", map[string]string{"email": m[1], "password": m[2]}, &session); status != http.StatusOK || session.AccessToken == "" {
		t.Fatalf("login as the demo owner: HTTP %d", status)
	}
	return session.AccessToken
}

// apiBooking is a booking as the API lists it.
type apiBooking struct {
	ID        string    `json:"id"`
	ServiceID string    `json:"serviceId"`
	Status    string    `json:"status"`
	StartTime time.Time `json:"startTime"`
	Client    *struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"client"`
}

// demoBookings lists the demo business's bookings of day (in its zone)
// through the API, as its owner.
func demoBookings(t *testing.T, s *site, day time.Time) []apiBooking {
	t.Helper()
	token := ownerToken(t, s)
	var list struct {
		Businesses []struct {
			ID        string `json:"id"`
			Subdomain string `json:"subdomain"`
		} `json:"businesses"`
	}
	if status := callAPI(t, s, token, "GET", "/api/v1/businesses", nil, &list); status != http.StatusOK {
		t.Fatalf("list the owner's businesses: HTTP %d", status)
	}
	id := ""
	for _, biz := range list.Businesses {
		if biz.Subdomain == "demo" {
			id = biz.ID
		}
	}
	if id == "" {
		t.Fatalf("the demo owner has no business at subdomain demo: %+v", list.Businesses)
	}
	var bookings struct {
		Bookings []apiBooking `json:"bookings"`
	}
	q := url.Values{"from": {day.Format(time.DateOnly)}, "to": {day.Format(time.DateOnly)}}
	if status := callAPI(t, s, token, "GET", "/api/v1/businesses/"+id+"/bookings?"+q.Encode(), nil, &bookings); status != http.StatusOK {
		t.Fatalf("list the demo's bookings: HTTP %d", status)
	}
	return bookings.Bookings
}

// callAPI sends in as JSON (nil: no body) and decodes a 2xx answer into
// out; it returns the status.
func callAPI(t *testing.T, s *site, token, method, path string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.Base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if resp.StatusCode/100 == 2 && out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}
