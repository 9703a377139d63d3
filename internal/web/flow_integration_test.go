package web_test

// The pages against the real services: the whole App (every module, real
// SQLite or PostgreSQL, embedded NATS, its HTTP server on a free port),
// seeded through the JSON API, driven over HTTP as a browser without
// JavaScript would: follow the links the pages hold, post their forms.

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// Hostile names: they must stay text on every page.
const (
	hostileBusiness = `<script>alert("biz")</script> Studio`
	hostileService  = `<img src=x onerror=alert("svc")>`
	hostileGuest    = `<script>alert("guest")</script>`
)

// t0 is the App's clock: Monday 7 January 2030, 08:00 in Berlin.
var t0 = time.Date(2030, 1, 7, 7, 0, 0, 0, time.UTC)

// studio is a started App with a business to book: a free service (30
// min), a paid one (60 min, 50.00 EUR), the one staff member open Monday
// to Friday 09:00–17:00 Berlin.
type studio struct {
	h       *apptest.Harness
	web     *browser
	owner   *apiClient
	bizID   string
	sub     string
	freeID  string
	paidID  string
	staffID string
}

// startStudio starts the App on engine (configured by opts) and seeds
// the studio through the JSON API.
func startStudio(t *testing.T, engine sqldb.Engine, opts ...func(*app.Config)) *studio {
	t.Helper()
	cfg := apptest.Config(t, engine)
	cfg.Clock = func() time.Time { return t0 }
	cfg.AccessTokenTTL = 30 * 24 * time.Hour
	cfg.HoldDuration = 15 * time.Minute
	for _, o := range opts {
		o(&cfg)
	}
	h := apptest.Start(t, cfg)
	s := &studio{h: h, web: newBrowser(t, h.BaseURL), sub: "studio"}
	anon := &apiClient{t: t, base: h.BaseURL}
	reg := anon.must(201, "POST", "/api/v1/auth/register", obj{
		"email": "owner@example.com", "password": "correct horse battery", "firstName": "Olga", "lastName": "Owner", "role": "business_owner",
	})
	s.owner = &apiClient{t: t, base: h.BaseURL, token: reg["accessToken"].(string)}
	s.bizID = s.owner.must(201, "POST", "/api/v1/businesses", obj{"name": hostileBusiness, "subdomain": s.sub, "timeZone": "Europe/Berlin"})["id"].(string)
	base := "/api/v1/businesses/" + s.bizID
	s.freeID = s.owner.must(201, "POST", base+"/services", obj{"name": hostileService, "duration": 30, "price": 0, "currency": "EUR"})["id"].(string)
	s.paidID = s.owner.must(201, "POST", base+"/services", obj{"name": "Consultation", "duration": 60, "price": 50, "currency": "EUR"})["id"].(string)
	staff := s.owner.must(200, "GET", base+"/staff", nil)["staff"].([]any)
	s.staffID = staff[0].(map[string]any)["id"].(string)
	var weekly []obj
	for d := 1; d <= 5; d++ {
		weekly = append(weekly, obj{"weekday": d, "start": "09:00", "end": "17:00"})
	}
	s.owner.must(200, "PUT", base+"/staff/"+s.staffID+"/availability", obj{"weekly": weekly, "overrides": []obj{}})
	apptest.WaitFor(t, "the service pages to offer slots", func() bool {
		return s.web.get(t, s.servicePath(s.paidID)).has(`/book?start=`) && s.web.get(t, s.servicePath(s.freeID)).has(`/book?start=`)
	})
	return s
}

func (s *studio) servicePath(id string) string { return "/b/" + s.sub + "/" + id }

// book walks business page → service page → first slot → booking form →
// post, and returns the manage page's path (/m/{token}).
func (s *studio) book(t *testing.T, serviceID, guest string) string {
	t.Helper()
	biz := s.web.get(t, "/b/"+s.sub)
	biz.want(t, 200, `href="`+s.servicePath(serviceID)+`"`)
	svc := s.web.get(t, s.servicePath(serviceID))
	slot := svc.link(t, regexp.QuoteMeta(s.servicePath(serviceID))+`/book\?start=`)
	form := s.web.get(t, slot)
	form.want(t, 200, `name="csrf_token"`, `name="idempotency_key"`)
	res := s.web.submit(t, form, s.servicePath(serviceID)+"/book", url.Values{"name": {guest}, "email": {"guest@example.com"}})
	res.want(t, 303)
	loc, err := url.Parse(res.header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.Path, "/m/") || loc.Query().Get("done") != "booked" {
		t.Fatalf("booking answered Location %q", res.header.Get("Location"))
	}
	return loc.Path
}

func TestBookingFlowsOnTheRealServices(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		s := startStudio(t, engine)
		t.Run("free booking, then cancelled", func(t *testing.T) { freeFlow(t, s) })
		t.Run("paid booking: declined, then paid", func(t *testing.T) { paidFlow(t, s) })
		t.Run("unknown things are HTML 404", func(t *testing.T) {
			for _, p := range []string{"/m/not-a-token", "/m/not-a-token/cancel", "/b/nope", "/b/" + s.sub + "/svc_nope", "/b/nope/embed"} {
				got := s.web.get(t, p)
				got.want(t, 404, "Page not found")
				if ct := got.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("%s: Content-Type %q", p, ct)
				}
			}
		})
		t.Run("embedding", func(t *testing.T) { embedFlow(t, s) })
	})
}

func freeFlow(t *testing.T, s *studio) {
	biz := s.web.get(t, "/b/"+s.sub)
	biz.want(t, 200, html.EscapeString(hostileBusiness), html.EscapeString(hostileService), "Free", "€50.00")
	biz.hostileFree(t)

	manage := s.book(t, s.freeID, hostileGuest)
	page := s.web.get(t, manage)
	page.want(t, 200, "Confirmed", html.EscapeString(hostileGuest), "guest@example.com", "Download .ics file", "Cancel booking")
	page.hostileFree(t)
	if page.has("http-equiv") {
		t.Error("a confirmed booking's page refreshes itself")
	}

	cancel := s.web.get(t, manage+"/cancel")
	cancel.want(t, 200, "This booking is free, so there is nothing to refund.")
	res := s.web.submit(t, cancel, manage+"/cancel", nil)
	res.want(t, 303)
	done := s.web.get(t, res.header.Get("Location"))
	done.want(t, 200, "Your booking is cancelled.", "Cancelled")
	if done.has("Cancel booking") || done.has("Move to another time") {
		t.Error("a cancelled booking still offers changes")
	}
	again := s.web.submit(t, cancel, manage+"/cancel", nil)
	again.want(t, 409, "This booking can&#39;t be changed")
}

func paidFlow(t *testing.T, s *studio) {
	manage := s.book(t, s.paidID, "Ada Payer")
	var page *answer
	apptest.WaitFor(t, "the card form", func() bool {
		page = s.web.get(t, manage)
		return page.has(`name="card"`)
	})
	page.want(t, 200, "Awaiting payment", "Pay <strong>€50.00</strong> by <strong>", "Test cards")

	res := s.web.submit(t, page, manage+"/pay", url.Values{"card": {"4000 0000 0000 0002"}})
	res.want(t, 303)
	declined := s.web.get(t, res.header.Get("Location"))
	declined.want(t, 200, "Your card was declined.", "Please try again or use another card.", `name="card"`, "Awaiting payment")

	res = s.web.submit(t, declined, manage+"/pay", url.Values{"card": {"4242 4242 4242 4242"}})
	res.want(t, 303)
	back := res.header.Get("Location")
	if !strings.Contains(back, "paid=1") {
		t.Fatalf("after paying: Location %q, want paid=1", back)
	}
	var paid *answer
	apptest.WaitFor(t, "the booking to be confirmed", func() bool {
		paid = s.web.get(t, back)
		if paid.has("Awaiting payment") && !paid.has("Payment received — confirming…") {
			t.Fatalf("paid, but the page does not say so:\n%s", paid.body)
		}
		return paid.has(">Confirmed<")
	})
	paid.want(t, 200, "Thank you — your payment was received.", "Paid €50.00.")
	if paid.has(`name="card"`) || paid.has("http-equiv") || paid.has("declined") {
		t.Errorf("confirmed page:\n%s", paid.body)
	}
}

func embedFlow(t *testing.T, s *studio) {
	out := s.web.get(t, "/b/"+s.sub+"/embed")
	out.want(t, 200, `<body class="embed">`)
	if fa := out.frameAncestors(t); fa != "'none'" {
		t.Errorf("before any origin is allowed: frame-ancestors %s", fa)
	}
	s.owner.must(200, "PATCH", "/api/v1/businesses/"+s.bizID, obj{"embedOrigins": []string{"https://shop.example", "http://localhost:8000"}})
	var in *answer
	apptest.WaitFor(t, "the embed origins on the embed page", func() bool {
		in = s.web.get(t, "/b/"+s.sub+"/embed")
		return in.frameAncestors(t) == "https://shop.example http://localhost:8000"
	})
	in.want(t, 200, `href="/embed`+s.servicePath(s.freeID)+`"`, html.EscapeString(hostileBusiness))
	in.hostileFree(t)
	if in.header.Get("X-Frame-Options") != "" {
		t.Error("X-Frame-Options on a frameable page")
	}
	svc := s.web.get(t, "/embed"+s.servicePath(s.freeID))
	svc.want(t, 200, `<body class="embed">`)
	if svc.frameAncestors(t) != "https://shop.example http://localhost:8000" || svc.has(`href="/b/`) {
		t.Errorf("service page inside the frame: %s", svc.frameAncestors(t))
	}
	if fa := s.web.get(t, "/b/"+s.sub).frameAncestors(t); fa != "'none'" {
		t.Errorf("the business page outside the frame: frame-ancestors %s", fa)
	}
}

// browser is an HTTP client as a browser without JavaScript: cookies
// kept, redirects not followed (the tests look at them).
type browser struct {
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{base: base, c: &http.Client{
		Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// answer is one response, its body read.
type answer struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(t testing.TB, req *http.Request) *answer {
	t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", req.Method, req.URL, err)
	}
	return &answer{status: res.StatusCode, header: res.Header, body: string(raw)}
}

func (b *browser) get(t testing.TB, path string) *answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b.do(t, req)
}

func (b *browser) post(t testing.TB, path string, form url.Values) *answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base) // as a browser sends with a form post
	return b.do(t, req)
}

var (
	formRE   = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>`)
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// submit posts the form of page that posts to action: its hidden fields
// (the CSRF token among them) and fields.
func (b *browser) submit(t *testing.T, page *answer, action string, fields url.Values) *answer {
	t.Helper()
	for _, m := range formRE.FindAllStringSubmatch(page.body, -1) {
		if html.UnescapeString(m[1]) != action {
			continue
		}
		form := url.Values{}
		for _, in := range hiddenRE.FindAllStringSubmatch(m[2], -1) {
			form.Set(in[1], html.UnescapeString(in[2]))
		}
		for k, v := range fields {
			form[k] = v
		}
		return b.post(t, action, form)
	}
	t.Fatalf("no form posting to %s in:\n%s", action, page.body)
	return nil
}

func (a *answer) has(s string) bool { return strings.Contains(a.body, s) }

// want fails unless the answer has status and holds every text.
func (a *answer) want(t *testing.T, status int, texts ...string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d:\n%s", a.status, status, a.body)
	}
	for _, s := range texts {
		if !a.has(s) {
			t.Errorf("page lacks %q:\n%s", s, a.body)
		}
	}
}

// hostileFree fails if a hostile name reached the page as markup.
func (a *answer) hostileFree(t *testing.T) {
	t.Helper()
	for _, s := range []string{hostileBusiness, hostileService, hostileGuest, "<img src=x"} {
		if a.has(s) {
			t.Errorf("page holds %q unescaped", s)
		}
	}
}

// link returns the first href matching pattern (a regexp of the path).
func (a *answer) link(t *testing.T, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(`href="(` + pattern + `[^"]*)"`).FindStringSubmatch(a.body)
	if m == nil {
		t.Fatalf("no link like %s in:\n%s", pattern, a.body)
	}
	return html.UnescapeString(m[1])
}

func (a *answer) frameAncestors(t *testing.T) string {
	t.Helper()
	_, fa, ok := strings.Cut(a.header.Get("Content-Security-Policy"), "; frame-ancestors ")
	if !ok {
		t.Fatalf("no frame-ancestors in %q", a.header.Get("Content-Security-Policy"))
	}
	return fa
}

type obj = map[string]any

// apiClient calls the JSON API ("" token: anonymous).
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

func (c *apiClient) must(want int, method, path string, body any) obj {
	c.t.Helper()
	status, raw := c.send(method, path, body)
	if status != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, status, raw, want)
	}
	var out obj
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("decode %s: %v", raw, err)
		}
	}
	return out
}

// send sends body as JSON with the client's token and returns the status
// and the answer's body.
func (c *apiClient) send(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return res.StatusCode, raw
}
