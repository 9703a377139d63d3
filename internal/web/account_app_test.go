package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// These tests drive the account pages of the real App (every module,
// real HTTP, both engines) as a browser would: a cookie jar, forms posted
// with their hidden fields, redirects looked at before they are followed.

// clock is the App's manual clock.
type acctClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *acctClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *acctClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// t0 is Monday 7 January 2030, 08:00 in Berlin.
var acctT0 = time.Date(2030, 1, 7, 7, 0, 0, 0, time.UTC)

// accessTTL is the App's access token lifetime in these tests.
const acctAccessTTL = 5 * time.Minute

const acctPassword = "correct horse battery"

// world is a started App with a business ready to book: "Studio Nord"
// (subdomain studio, Europe/Berlin), a free 30-minute "Intro", open
// Monday to Friday 09:00–17:00.
type acctWorld struct {
	h      *apptest.Harness
	clock  *acctClock
	owner  acctAPI
	bizID  string
	freeID string
}

func newAcctWorld(t *testing.T, engine sqldb.Engine) *acctWorld {
	t.Helper()
	c := &acctClock{now: acctT0}
	cfg := apptest.Config(t, engine)
	cfg.Clock = c.Now
	cfg.AccessTokenTTL = acctAccessTTL
	h := apptest.Start(t, cfg)
	w := &acctWorld{h: h, clock: c}
	anon := acctAPI{t: t, base: h.BaseURL}
	s := anon.must(201, "POST", "/api/v1/auth/register", acctObj{
		"email": "owner@example.com", "password": acctPassword, "firstName": "Olga", "lastName": "Owner", "role": "business_owner",
	})
	w.owner = acctAPI{t: t, base: h.BaseURL, token: s["accessToken"].(string)}
	w.bizID = w.owner.must(201, "POST", "/api/v1/businesses", acctObj{"name": "Studio Nord", "subdomain": "studio", "timeZone": "Europe/Berlin"})["id"].(string)
	base := "/api/v1/businesses/" + w.bizID
	w.freeID = w.owner.must(201, "POST", base+"/services", acctObj{"name": "Intro", "duration": 30, "price": 0, "currency": "EUR"})["id"].(string)
	staff := w.owner.must(200, "GET", base+"/staff", nil)["staff"].([]any)
	staffID := staff[0].(map[string]any)["id"].(string)
	var weekly []acctObj
	for d := 1; d <= 5; d++ {
		weekly = append(weekly, acctObj{"weekday": d, "start": "09:00", "end": "17:00"})
	}
	w.owner.must(200, "PUT", base+"/staff/"+staffID+"/availability", acctObj{"weekly": weekly, "overrides": []acctObj{}})
	apptest.WaitFor(t, "the slots of the new business", func() bool {
		r := anon.send("GET", "/api/v1/public/businesses/studio/slots?serviceId="+w.freeID+"&from=2030-01-08&to=2030-01-08", nil)
		return r.status == 200 && strings.Contains(string(r.body), `"start"`)
	})
	return w
}

// client registers a client through the JSON API and returns its caller.
func (w *acctWorld) client(t *testing.T, email, first string) acctAPI {
	t.Helper()
	s := acctAPI{t: t, base: w.h.BaseURL}.must(201, "POST", "/api/v1/auth/register", acctObj{
		"email": email, "password": acctPassword, "firstName": first, "lastName": "Client", "role": "client",
	})
	return acctAPI{t: t, base: w.h.BaseURL, token: s["accessToken"].(string)}
}

// book books the free service at start (UTC, RFC 3339) as c.
func (w *acctWorld) book(c acctAPI, start string) string {
	return c.must(201, "POST", "/api/v1/bookings", acctObj{"businessId": w.bizID, "serviceId": w.freeID, "startTime": start})["id"].(string)
}

type acctObj = map[string]any

// api is a JSON caller ("" token: anonymous).
type acctAPI struct {
	t     *testing.T
	base  string
	token string
}

type acctAPIAnswer struct {
	status int
	body   []byte
}

func (c acctAPI) send(method, path string, body any) acctAPIAnswer {
	c.t.Helper()
	status, raw := (&apiClient{t: c.t, base: c.base, token: c.token}).send(method, path, body)
	return acctAPIAnswer{status: status, body: raw}
}

func (c acctAPI) must(want int, method, path string, body any) acctObj {
	c.t.Helper()
	r := c.send(method, path, body)
	if r.status != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.body, want)
	}
	var out acctObj
	if len(r.body) > 0 {
		if err := json.Unmarshal(r.body, &out); err != nil {
			c.t.Fatalf("decode %s: %v", r.body, err)
		}
	}
	return out
}

// browser is one browser: its own cookies; redirects are not followed.
type acctBrowser struct {
	t    *testing.T
	base *url.URL
	jar  *cookiejar.Jar
	http *http.Client
}

func newAcctBrowser(t *testing.T, w *acctWorld) *acctBrowser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	base, err := url.Parse(w.h.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	return &acctBrowser{t: t, base: base, jar: jar, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is one answer.
type acctPage struct {
	status int
	header http.Header
	body   string
}

func (p acctPage) location() string { return p.header.Get("Location") }

func (b *acctBrowser) do(req *http.Request, hdr ...string) acctPage {
	b.t.Helper()
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return acctPage{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *acctBrowser) get(path string, hdr ...string) acctPage {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base.String()+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req, hdr...)
}

func (b *acctBrowser) post(path string, form url.Values, hdr ...string) acctPage {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base.String()+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req, hdr...)
}

// submit posts the form of p that posts to action: its hidden fields plus
// fields.
func (b *acctBrowser) submit(p acctPage, action string, fields url.Values, hdr ...string) acctPage {
	b.t.Helper()
	form := acctHiddenFields(b.t, p.body, action)
	for k, v := range fields {
		form[k] = v
	}
	return b.post(action, form, hdr...)
}

// follow requests a 303's target.
func (b *acctBrowser) follow(p acctPage) acctPage {
	b.t.Helper()
	if p.status != http.StatusSeeOther {
		b.t.Fatalf("status = %d, want 303; body:\n%s", p.status, p.body)
	}
	return b.get(p.location())
}

// session is the browser's session cookie ("" when none).
func (b *acctBrowser) session() string {
	for _, c := range b.jar.Cookies(b.base) {
		if c.Name == "sw_session" {
			return c.Value
		}
	}
	return ""
}

// setSession puts a session cookie into the browser (an old copy).
func (b *acctBrowser) setSession(v string) {
	b.jar.SetCookies(b.base, []*http.Cookie{{Name: "sw_session", Value: v, Path: "/"}})
}

// signIn signs in through the pages and returns the redirect's target.
func (b *acctBrowser) signIn(email string) string {
	b.t.Helper()
	res := b.submit(b.get("/signin"), "/signin", url.Values{"email": {email}, "password": {acctPassword}})
	if res.status != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: status %d; body:\n%s", email, res.status, res.body)
	}
	return res.location()
}

var (
	acctFormRE   = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>`)
	acctHiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	acctHrefRE   = regexp.MustCompile(`href="([^"]*)"`)
)

func acctHiddenFields(t *testing.T, body, action string) url.Values {
	t.Helper()
	for _, m := range acctFormRE.FindAllStringSubmatch(body, -1) {
		if html.UnescapeString(m[1]) != action {
			continue
		}
		v := url.Values{}
		for _, in := range acctHiddenRE.FindAllStringSubmatch(m[2], -1) {
			v.Set(in[1], html.UnescapeString(in[2]))
		}
		return v
	}
	t.Fatalf("no form posting to %s in:\n%s", action, body)
	return nil
}

// links returns the page's link targets that start with prefix.
func acctLinks(body, prefix string) []string {
	var out []string
	for _, m := range acctHrefRE.FindAllStringSubmatch(body, -1) {
		if h := html.UnescapeString(m[1]); strings.HasPrefix(h, prefix) {
			out = append(out, h)
		}
	}
	return out
}

func acctWantStatus(t *testing.T, p acctPage, status int) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status = %d, want %d; body:\n%s", p.status, status, p.body)
	}
}

func acctWantBody(t *testing.T, p acctPage, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(p.body, s) {
			t.Errorf("page lacks %q; body:\n%s", s, p.body)
		}
	}
}

func acctWantNotBody(t *testing.T, p acctPage, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(p.body, s) {
			t.Errorf("page holds %q", s)
		}
	}
}

// wantSignInRedirect fails unless p sends the browser to sign in.
func acctWantSignInRedirect(t *testing.T, p acctPage, next string) {
	t.Helper()
	want := "/signin?next=" + url.QueryEscape(next)
	if p.status != http.StatusSeeOther || p.location() != want {
		t.Fatalf("answer %d to %q, want 303 to %q", p.status, p.location(), want)
	}
}

func TestAccountPages(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		w := newAcctWorld(t, engine)

		t.Run("anonymous_is_sent_to_sign_in", func(t *testing.T) {
			b := newAcctBrowser(t, w)
			acctWantSignInRedirect(t, b.get("/bookings"), "/bookings")
			acctWantSignInRedirect(t, b.get("/bookings?when=past"), "/bookings?when=past")
			acctWantSignInRedirect(t, b.get("/app"), "/app")
			if p := b.get("/app/signin"); p.status != http.StatusSeeOther || p.location() != "/signin" {
				t.Errorf("/app/signin: %d to %q, want 303 to /signin", p.status, p.location())
			}
			p := b.get("/b/studio")
			acctWantBody(t, p, `href="/signin?next=%2Fb%2Fstudio">Sign in</a>`)
		})

		t.Run("sign_up_field_errors_then_signed_in", func(t *testing.T) {
			b := newAcctBrowser(t, w)
			form := b.get("/signup")
			acctWantStatus(t, form, http.StatusOK)
			bad := b.submit(form, "/signup", url.Values{
				"first_name": {""}, "last_name": {"Lovelace"}, "email": {"not-an-email"}, "password": {"short"},
			})
			acctWantStatus(t, bad, http.StatusUnprocessableEntity)
			acctWantBody(t, bad, `<p id="first_name-error" class="field-error">Please enter your first name.</p>`,
				`<p id="email-error" class="field-error">Please enter a valid e-mail address, like name@example.com.</p>`,
				`<p id="password-error" class="field-error">Please use at least 8 characters.</p>`,
				`value="Lovelace"`, `value="not-an-email"`)
			acctWantNotBody(t, bad, `value="short"`, "last_name-error")

			ok := b.submit(bad, "/signup", url.Values{
				"first_name": {"Ada<script>"}, "last_name": {"Lovelace"}, "email": {"ada@example.com"}, "password": {acctPassword},
			})
			if ok.status != http.StatusSeeOther || ok.location() != "/bookings?done=welcome" {
				t.Fatalf("sign up: %d to %q; body:\n%s", ok.status, ok.location(), ok.body)
			}
			mine := b.follow(ok)
			acctWantStatus(t, mine, http.StatusOK)
			acctWantBody(t, mine, "<h1>My bookings</h1>", "Welcome! Your account is ready.", "Signed in as ada@example.com",
				"Ada&lt;script&gt; Lovelace", `action="/signout"`, "You have no upcoming bookings.")
			acctWantNotBody(t, mine, "<script>alert", "Ada<script>")

			again := newAcctBrowser(t, w)
			dup := again.submit(again.get("/signup"), "/signup", url.Values{
				"first_name": {"Ada"}, "last_name": {"Again"}, "email": {"ADA@example.com"}, "password": {acctPassword},
			})
			acctWantStatus(t, dup, http.StatusConflict)
			acctWantBody(t, dup, "An account with this e-mail already exists.")
		})

		t.Run("sign_out_ends_the_session", func(t *testing.T) {
			b := newAcctBrowser(t, w)
			if to := b.signIn("ada@example.com"); to != "/bookings" {
				t.Fatalf("client signed in to %q, want /bookings", to)
			}
			mine := b.get("/bookings")
			acctWantStatus(t, mine, http.StatusOK)
			old := b.session()
			out := b.submit(mine, "/signout", nil)
			if out.status != http.StatusSeeOther || out.location() != "/signin?done=signedout" {
				t.Fatalf("sign out: %d to %q", out.status, out.location())
			}
			if b.session() != "" {
				t.Error("the session cookie was not cleared")
			}
			signedOut := b.follow(out)
			acctWantBody(t, signedOut, "You&#39;re signed out.")
			acctWantNotBody(t, signedOut, `action="/signout"`, "Ada&lt;script&gt;")

			// An old copy of the cookie, its access token still valid, no
			// longer works.
			thief := newAcctBrowser(t, w)
			thief.setSession(old)
			acctWantSignInRedirect(t, thief.get("/bookings"), "/bookings")
			if thief.session() != "" {
				t.Error("the refused cookie was not cleared")
			}
			// Nor once the access token expired: the refresh token's family
			// is revoked.
			w.clock.Advance(acctAccessTTL + time.Second)
			thief.setSession(old)
			acctWantSignInRedirect(t, thief.get("/bookings"), "/bookings")
		})

		t.Run("wrong_password_keeps_the_email", func(t *testing.T) {
			b := newAcctBrowser(t, w)
			p := b.submit(b.get("/signin"), "/signin", url.Values{"email": {"ada@example.com"}, "password": {"not my password"}})
			acctWantStatus(t, p, http.StatusUnprocessableEntity)
			acctWantBody(t, p, "That e-mail and password don&#39;t match an account.", `value="ada@example.com"`)
			acctWantNotBody(t, p, "not my password")
			if b.session() != "" {
				t.Error("a session cookie after a refused sign-in")
			}
			if to := b.signIn("ada@example.com"); to != "/bookings" {
				t.Fatalf("signed in to %q", to)
			}
		})

		t.Run("throttled_says_how_long_to_wait", func(t *testing.T) {
			b := newAcctBrowser(t, w)
			var p acctPage
			for i := 0; i < 6; i++ {
				p = b.submit(b.get("/signin"), "/signin", url.Values{"email": {"nobody@example.com"}, "password": {"guess " + fmt.Sprint(i)}})
			}
			acctWantStatus(t, p, http.StatusTooManyRequests)
			acctWantBody(t, p, "Too many failed sign-ins. For your safety, please wait 15 minutes and try again.", `value="nobody@example.com"`)
			if p.header.Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
		})

		t.Run("csrf_refusals", func(t *testing.T) {
			a, b := newAcctBrowser(t, w), newAcctBrowser(t, w)
			creds := url.Values{"email": {"ada@example.com"}, "password": {acctPassword}}
			formA := a.get("/signin")
			b.get("/signin") // b has a form cookie of its own
			for name, res := range map[string]acctPage{
				"no token":                   b.post("/signin", creds),
				"another browser's token":    b.submit(formA, "/signin", creds),
				"cross-site":                 a.submit(formA, "/signin", creds, "Sec-Fetch-Site", "cross-site"),
				"no form cookie (fresh jar)": newAcctBrowser(t, w).submit(formA, "/signin", creds),
				"sign-up with sign-in token": a.post("/signup", acctHiddenFields(t, formA.body, "/signin")),
			} {
				if res.status != http.StatusForbidden {
					t.Errorf("%s: status %d, want 403", name, res.status)
				}
			}
			if a.session() != "" || b.session() != "" {
				t.Fatal("a refused sign-in started a session")
			}

			a.signIn("ada@example.com")
			b.signIn("ada@example.com")
			pageA := a.get("/bookings")
			for name, res := range map[string]acctPage{
				"no token":                a.post("/signout", url.Values{}),
				"another session's token": b.submit(pageA, "/signout", nil),
				"cross-site":              a.submit(pageA, "/signout", nil, "Sec-Fetch-Site", "cross-site"),
			} {
				if res.status != http.StatusForbidden {
					t.Errorf("sign-out, %s: status %d, want 403", name, res.status)
				}
			}
			acctWantStatus(t, a.get("/bookings"), http.StatusOK)
			acctWantStatus(t, b.get("/bookings"), http.StatusOK)
		})

		t.Run("next_is_local_only", func(t *testing.T) {
			for next, want := range map[string]string{
				"/b/studio":              "/b/studio",
				"/bookings?when=past":    "/bookings?when=past",
				"https://evil.example/x": "/bookings",
				"//evil.example/x":       "/bookings",
				"/\\evil.example":        "/bookings",
				"javascript:alert(1)":    "/bookings",
				"/signout":               "/bookings",
			} {
				b := newAcctBrowser(t, w)
				form := b.get("/signin?next=" + url.QueryEscape(next))
				if want == "/bookings" && strings.Contains(form.body, `name="next"`) {
					t.Errorf("next=%s: kept in the form", next)
				}
				fields := url.Values{"email": {"ada@example.com"}, "password": {acctPassword}, "next": {next}}
				res := b.submit(form, "/signin", fields)
				if res.status != http.StatusSeeOther || res.location() != want {
					t.Errorf("next=%s: %d to %q, want %q", next, res.status, res.location(), want)
				}
			}
		})

		t.Run("owner_goes_to_the_dashboard", func(t *testing.T) {
			b := newAcctBrowser(t, w)
			if to := b.signIn("owner@example.com"); to != "/app" {
				t.Fatalf("owner signed in to %q, want /app", to)
			}
			p := b.get("/app")
			acctWantStatus(t, p, http.StatusOK)
			acctWantBody(t, p, "<h1>Dashboard</h1>", `<a href="/b/studio">Studio Nord</a>`, `<a class="header-link" href="/app">Dashboard</a>`)
			acctWantStatus(t, b.get("/bookings"), http.StatusOK) // owners may book too

			c := newAcctBrowser(t, w)
			c.signIn("ada@example.com")
			acctWantStatus(t, c.get("/app"), http.StatusForbidden)
		})
	})
}

func TestMyBookings(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		w := newAcctWorld(t, engine)
		carl := w.client(t, "carl@example.com", "Carl")
		dora := w.client(t, "dora@example.com", "Dora")
		// Carl: twelve bookings on Tuesday 8 January, 09:00 to 14:30
		// Berlin; Dora one on Wednesday; a guest one with Carl's e-mail.
		for i := 0; i < 12; i++ {
			w.book(carl, acctT0.Add(25*time.Hour+time.Duration(i)*30*time.Minute).Format(time.RFC3339))
		}
		w.book(dora, "2030-01-09T08:00:00Z")
		acctAPI{t: t, base: w.h.BaseURL}.must(201, "POST", "/api/v1/bookings", acctObj{
			"businessId": w.bizID, "serviceId": w.freeID, "startTime": "2030-01-10T08:00:00Z",
			"client": acctObj{"name": "Carl Guest", "email": "carl@example.com"},
		})

		b := newAcctBrowser(t, w)
		if to := b.signIn("carl@example.com"); to != "/bookings" {
			t.Fatalf("signed in to %q", to)
		}
		first := b.get("/bookings")
		acctWantStatus(t, first, http.StatusOK)
		acctWantBody(t, first, `<a class="tab" href="/bookings" aria-current="page">Upcoming</a>`,
			"Tuesday 8 January 2030, 09:00–09:30 CET", "Europe/Berlin (CET)", "Studio Nord", "Intro", "Page 1")
		acctWantNotBody(t, first, "Wednesday 9 January", "Thursday 10 January", "Previous")
		manage := acctLinks(first.body, "/m/")
		if len(manage) != 2*10 { // the title and the button of each
			t.Fatalf("page 1 has %d manage links, want 20", len(manage))
		}

		next := acctLinks(first.body, "/bookings?cursor=")
		if len(next) != 1 {
			t.Fatalf("page 1 next links = %v", next)
		}
		second := b.get(next[0])
		acctWantStatus(t, second, http.StatusOK)
		acctWantBody(t, second, "Tuesday 8 January 2030, 14:00–14:30 CET", "Tuesday 8 January 2030, 14:30–15:00 CET", "Page 2", `rel="prev"`)
		acctWantNotBody(t, second, "09:00–09:30", `rel="next"`)
		if n := len(acctLinks(second.body, "/m/")); n != 4 {
			t.Errorf("page 2 has %d manage links, want 4", n)
		}
		prev := regexp.MustCompile(`href="([^"]*)" rel="prev"`).FindStringSubmatch(second.body)
		if prev == nil || html.UnescapeString(prev[1]) != "/bookings" {
			t.Fatalf("page 2's previous link = %v, want /bookings", prev)
		}
		acctWantBody(t, b.get("/bookings"), "Tuesday 8 January 2030, 09:00–09:30 CET")

		// The manage link opens the booking.
		m := b.get(manage[0])
		acctWantStatus(t, m, http.StatusOK)
		acctWantBody(t, m, "Intro")

		acctWantBody(t, b.get("/bookings?when=past"), `aria-current="page">Past</a>`, "No past bookings yet.")

		// A mangled cursor starts the list again.
		res := b.get("/bookings?cursor=nope")
		if res.status != http.StatusSeeOther || res.location() != "/bookings" {
			t.Errorf("bad cursor: %d to %q", res.status, res.location())
		}

		// Tuesday 10:00 Berlin: two have ended; the past tab shows the
		// latest first.
		w.clock.Advance(26*time.Hour + time.Minute)
		past := b.get("/bookings?when=past")
		acctWantStatus(t, past, http.StatusOK)
		i, j := strings.Index(past.body, "09:30–10:00 CET"), strings.Index(past.body, "09:00–09:30 CET")
		if i < 0 || j < 0 || i > j {
			t.Errorf("past tab: want 09:30 then 09:00; body:\n%s", past.body)
		}
	})
}

// TestExpiredAccessTokenIsRefreshed: a page asked for after the access
// token expired renews it with the refresh token, once for several
// simultaneous requests of one browser (the spent refresh token presented
// again must not revoke the session), and again later.
func TestExpiredAccessTokenIsRefreshed(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		w := newAcctWorld(t, engine)
		w.client(t, "carl@example.com", "Carl")
		b := newAcctBrowser(t, w)
		b.signIn("carl@example.com")
		old := b.session()

		w.clock.Advance(acctAccessTTL + time.Second)
		const n = 6
		var wg sync.WaitGroup
		answers := make([]acctPage, n)
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tab := newAcctBrowser(t, w)
				tab.setSession(old)
				req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, w.h.BaseURL+"/bookings", nil)
				if err != nil {
					t.Error(err)
					return
				}
				res, err := tab.http.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_ = res.Body.Close()
				answers[i] = acctPage{status: res.StatusCode, header: res.Header}
			}()
		}
		wg.Wait()
		for i, a := range answers {
			if a.status != http.StatusOK || !strings.Contains(strings.Join(a.header.Values("Set-Cookie"), ";"), "sw_session=") {
				t.Errorf("request %d with the expired cookie: %d, Set-Cookie %q", i, a.status, a.header.Values("Set-Cookie"))
			}
		}
		p := b.get("/bookings")
		acctWantStatus(t, p, http.StatusOK)
		renewed := b.session()
		if renewed == old || renewed == "" {
			t.Fatal("the browser's cookie was not renewed")
		}
		acctWantBody(t, p, "Carl Client")

		// One rotation for all of them: no family was revoked.
		db := w.h.OpenDB(t, "auth")
		var used, revoked int
		if err := db.QueryRow(context.Background(),
			"SELECT COUNT(used_at), COUNT(revoked_at) FROM refresh_tokens").Scan(&used, &revoked); err != nil {
			t.Fatal(err)
		}
		if used != 1 || revoked != 0 {
			t.Fatalf("refresh tokens used %d, revoked %d; want 1 and 0", used, revoked)
		}

		// Later, the renewed cookie is renewed again.
		w.clock.Advance(acctAccessTTL + time.Second)
		acctWantStatus(t, b.get("/bookings"), http.StatusOK)
		if again := b.session(); again == renewed {
			t.Fatal("the cookie was not renewed the second time")
		}
	})
}
