package web

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/payment"
)

// testNow is the tests' clock: Tuesday 1 December 2026, 10:00 UTC
// (11:00 in Berlin).
var testNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// harness is a Site on fakes, served by a ServeMux as the app will.
type harness struct {
	site  *Site
	mux   *http.ServeMux
	biz   *fakeBusinesses
	sched *fakeScheduler
	pay   *fakePayments
	mu    sync.Mutex
	now   time.Time
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{now: testNow}
	clock := func() time.Time { h.mu.Lock(); defer h.mu.Unlock(); return h.now }
	h.biz = &fakeBusinesses{views: sampleViews()}
	h.sched = newFakeScheduler(h.biz, clock)
	h.pay = &fakePayments{sched: h.sched, provider: "sandbox", byBook: map[string]*payment.Payment{},
		policy: payment.RefundPolicy{Window: 24 * time.Hour}}
	site, err := New(Deps{
		Businesses: h.biz, Scheduler: h.sched, Payments: h.pay, Now: clock,
	}, Config{CSRFKey: []byte(strings.Repeat("s", 32)), DemoSubdomain: "rosa", PublicURL: "https://book.example"})
	if err != nil {
		t.Fatal(err)
	}
	h.site, h.mux = site, http.NewServeMux()
	site.Routes(h.mux)
	return h
}

// page is one answer, its body decompressed.
type page struct {
	*http.Response
	Body string
}

// do serves one request; hdr is header name, value pairs.
func (h *harness) do(t *testing.T, req *http.Request, hdr ...string) page {
	t.Helper()
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.mux.ServeHTTP(rec, req)
	res := rec.Result()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return page{res, string(b)}
}

func (h *harness) get(t *testing.T, path string, hdr ...string) page {
	t.Helper()
	return h.do(t, httptest.NewRequest(http.MethodGet, path, nil), hdr...)
}

func (h *harness) post(t *testing.T, path string, form url.Values, hdr ...string) page {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.do(t, req, hdr...)
}

// submit posts a form found in a rendered page: its hidden fields plus
// fields, to its action.
func (h *harness) submit(t *testing.T, p page, action string, fields url.Values, hdr ...string) page {
	t.Helper()
	form := hiddenFields(t, p.Body, action)
	for k, v := range fields {
		form[k] = v
	}
	return h.post(t, action, form, hdr...)
}

var (
	formRE   = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>`)
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// hiddenFields returns the hidden inputs of the form posting to action.
func hiddenFields(t *testing.T, body, action string) url.Values {
	t.Helper()
	for _, m := range formRE.FindAllStringSubmatch(body, -1) {
		if unescape(m[1]) != action {
			continue
		}
		v := url.Values{}
		for _, in := range hiddenRE.FindAllStringSubmatch(m[2], -1) {
			v.Set(in[1], unescape(in[2]))
		}
		return v
	}
	t.Fatalf("no form posting to %s in:\n%s", action, body)
	return nil
}

func unescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// wantStatus fails unless the answer has status.
func wantStatus(t *testing.T, p page, status int) {
	t.Helper()
	if p.StatusCode != status {
		t.Fatalf("status = %d, want %d; body:\n%s", p.StatusCode, status, p.Body)
	}
}

// wantHTML fails unless the answer is an HTML page holding every text.
func wantHTML(t *testing.T, p page, texts ...string) {
	t.Helper()
	if ct := p.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type = %q, want HTML", ct)
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Errorf("page lacks %q; body:\n%s", s, p.Body)
		}
	}
}

// wantNot fails if the body holds any text.
func wantNot(t *testing.T, p page, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(p.Body, s) {
			t.Errorf("page holds %q", s)
		}
	}
}

// follow requests a redirect's target.
func (h *harness) follow(t *testing.T, p page) page {
	t.Helper()
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("status = %d, want 303; body:\n%s", p.StatusCode, p.Body)
	}
	return h.get(t, p.Header.Get("Location"))
}

// book makes a booking through the pages and returns the manage page's
// path (without query).
func (h *harness) book(t *testing.T, service, start, staff string) string {
	t.Helper()
	form := h.get(t, "/b/rosa/"+service+"/book?start="+url.QueryEscape(start)+"&staff="+staff+"&tz=Europe/Berlin")
	wantStatus(t, form, http.StatusOK)
	res := h.submit(t, form, "/b/rosa/"+service+"/book", url.Values{"name": {"Ada Guest"}, "email": {"ada@example.com"}})
	wantStatus(t, res, http.StatusSeeOther)
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.Path
}

// bookingID returns the id of the booking of a manage path (/m/{token}).
func (h *harness) bookingID(t *testing.T, managePath string) string {
	t.Helper()
	b, err := h.sched.BookingByToken(context.Background(), strings.TrimPrefix(managePath, "/m/"))
	if err != nil {
		t.Fatalf("booking of %s: %v", managePath, err)
	}
	return b.ID
}

var tagRE = regexp.MustCompile(`(?s)<[^>]*>`)

// visibleText is the page's text without its tags and attributes.
func visibleText(body string) string { return tagRE.ReplaceAllString(body, " ") }
