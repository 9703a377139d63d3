package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/web/static"
)

// allowFraming lets origins frame a sample business's pages.
func (h *harness) allowFraming(sub string, origins ...string) {
	h.biz.mu.Lock()
	defer h.biz.mu.Unlock()
	v := h.biz.views[sub]
	v.Business.EmbedOrigins = origins
	h.biz.views[sub] = v
}

// frameAncestors returns the frame-ancestors source list of an answer.
func frameAncestors(t *testing.T, p page) string {
	t.Helper()
	csp := p.Header.Get("Content-Security-Policy")
	_, fa, ok := strings.Cut(csp, "; frame-ancestors ")
	if !ok {
		t.Fatalf("CSP without frame-ancestors: %q", csp)
	}
	return fa
}

func TestEmbedPageMayBeFramedOnlyByTheBusinessesOrigins(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(t, "/b/rosa/embed")
	wantStatus(t, p, http.StatusOK)
	if fa := frameAncestors(t, p); fa != "'none'" || p.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("without embed origins: frame-ancestors %s, X-Frame-Options %q", fa, p.Header.Get("X-Frame-Options"))
	}

	h.allowFraming("rosa", "https://www.salon-rosa.example", "http://localhost:8000")
	p = h.get(t, "/b/rosa/embed")
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, `<body class="embed">`, "<h1>Salon Rosa</h1>", `href="/embed/b/rosa/svc_cut"`, `href="/embed/b/rosa/svc_colour"`, "€120.00")
	wantNot(t, p, "<header class=\"site-header", "<footer", `href="/b/`)
	if fa := frameAncestors(t, p); fa != "https://www.salon-rosa.example http://localhost:8000" {
		t.Errorf("frame-ancestors = %s", fa)
	}
	if xfo := p.Header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("X-Frame-Options = %q on a page the business lets be framed", xfo)
	}
	// Every other page stays unframeable, this business's included.
	for _, path := range []string{"/", "/b/rosa", "/b/rosa/svc_cut", "/b/evil/embed", "/b/nope/embed", "/embed/b/nope/svc_cut"} {
		got := h.get(t, path)
		if fa := frameAncestors(t, got); fa != "'none'" {
			t.Errorf("%s: frame-ancestors %s, want 'none'", path, fa)
		}
	}
	wantStatus(t, h.get(t, "/b/nope/embed"), http.StatusNotFound)
}

func TestEmbeddedBookingStaysInTheFrame(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.allowFraming("rosa", "https://www.salon-rosa.example")
	const framing = "https://www.salon-rosa.example"

	svc := h.get(t, "/embed/b/rosa/svc_cut?day=2026-12-02&tz=Europe%2FBerlin")
	wantStatus(t, svc, http.StatusOK)
	wantHTML(t, svc, `<body class="embed">`, `href="/embed/b/rosa">Salon Rosa</a>`, `action="/embed/b/rosa/svc_cut"`,
		`href="/embed/b/rosa/svc_cut/book?start=2026-12-02T09%3A00%3A00Z`)
	wantNot(t, svc, `href="/b/`, `action="/b/`, "<footer")
	if fa := frameAncestors(t, svc); fa != framing {
		t.Errorf("service page frame-ancestors = %s", fa)
	}
	frag := h.get(t, "/embed/b/rosa/svc_cut?day=2026-12-03", FragmentHeader, "1")
	if !strings.HasPrefix(frag.Body, `<div id="picker"`) || strings.Contains(frag.Body, `href="/b/`) || !strings.Contains(frag.Body, `href="/embed/b/rosa/svc_cut?`) {
		t.Fatalf("fragment inside the frame:\n%s", frag.Body)
	}

	form := h.get(t, "/embed"+formPath+slotQuery)
	wantStatus(t, form, http.StatusOK)
	wantHTML(t, form, `action="/embed`+formPath+`"`)
	res := h.submit(t, form, "/embed"+formPath, url.Values{"name": {"Ada Guest"}, "email": {"ada@example.com"}})
	wantStatus(t, res, http.StatusSeeOther)
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.Path, "/embed/m/") {
		t.Fatalf("Location = %q, want the manage page inside the frame", res.Header.Get("Location"))
	}
	m := h.follow(t, res)
	wantStatus(t, m, http.StatusOK)
	wantHTML(t, m, `<body class="embed">`, "You&#39;re booked.", `href="/embed`+strings.TrimPrefix(loc.Path, "/embed")+`/cancel?`,
		`href="https://book.example`+strings.TrimPrefix(loc.Path, "/embed")+`?tz=Europe%2FBerlin" target="_blank" rel="noopener">Open this page in a new tab`)
	if fa := frameAncestors(t, m); fa != framing {
		t.Errorf("manage page frame-ancestors = %s", fa)
	}
	// The same booking outside the frame may not be framed.
	outside := h.get(t, strings.TrimPrefix(loc.Path, "/embed"))
	if fa := frameAncestors(t, outside); fa != "'none'" {
		t.Errorf("manage page outside the frame: frame-ancestors %s", fa)
	}
	wantNot(t, outside, "Open this page in a new tab")

	// Cancelling inside the frame: the token made for the page's own path
	// is accepted at the framed path, and the answer stays in the frame.
	manage := strings.TrimPrefix(loc.Path, "/embed")
	cancel := h.get(t, "/embed"+manage+"/cancel")
	done := h.submit(t, cancel, "/embed"+manage+"/cancel", nil)
	wantStatus(t, done, http.StatusSeeOther)
	if l := done.Header.Get("Location"); !strings.HasPrefix(l, "/embed"+manage+"?") {
		t.Fatalf("Location = %q", l)
	}
	if h.sched.created != 1 {
		t.Fatalf("bookings made = %d, want 1", h.sched.created)
	}
}

func TestEmbeddedPostsNeedTheirToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.allowFraming("rosa", "https://www.salon-rosa.example")
	form := h.get(t, "/embed"+formPath+slotQuery)
	fields := hiddenFields(t, form.Body, "/embed"+formPath)
	fields.Set("name", "Ada")
	fields.Set("email", "ada@example.com")
	fields.Set("csrf_token", h.site.newForm("/embed"+formPath).Token) // a token for the framed path itself
	wantStatus(t, h.post(t, "/embed"+formPath, fields), http.StatusForbidden)
	fields.Set("csrf_token", h.site.newForm("/b/rosa/svc_colour/book").Token) // another form's
	wantStatus(t, h.post(t, "/embed"+formPath, fields), http.StatusForbidden)
	if h.sched.created != 0 {
		t.Fatal("a booking was made with a wrong token")
	}
}

func TestEmbeddedHostileNamesStayText(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.allowFraming("evil", "https://evil.example")
	for _, path := range []string{"/b/evil/embed", "/embed/b/evil", "/embed/b/evil/svc_x"} {
		p := h.get(t, path)
		wantStatus(t, p, http.StatusOK)
		wantNot(t, p, "<script>alert", "<img src=x", "<b onmouseover")
		wantHTML(t, p, "&lt;")
	}
}

func TestEmbedScriptAtAStableAndAHashedPath(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	stable := h.get(t, "/embed.js", "Accept-Encoding", "gzip")
	wantStatus(t, stable, http.StatusOK)
	if cc := stable.Header.Get("Cache-Control"); cc != "public, max-age=3600" {
		t.Errorf("Cache-Control = %q", cc)
	}
	if ct := stable.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") || stable.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("Content-Type = %q", ct)
	}
	for _, s := range []string{`data-slotwise`, `"/b/" + encodeURIComponent(sub) + "/embed"`, "e.origin !== origin", "e.source !== frame.contentWindow"} {
		if !strings.Contains(stable.Body, s) {
			t.Errorf("embed.js lacks %q", s)
		}
	}
	if again := h.get(t, "/embed.js", "If-None-Match", stable.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("with its ETag = %d, want 304", again.StatusCode)
	}
	hashed := h.get(t, h.site.assets.Path("embed.js"))
	if hashed.StatusCode != http.StatusOK || hashed.Body != stable.Body || hashed.Header.Get("Cache-Control") != static.CacheControl {
		t.Errorf("hashed path: %d, Cache-Control %q", hashed.StatusCode, hashed.Header.Get("Cache-Control"))
	}
	a, err := static.Load()
	if err != nil {
		t.Fatal(err)
	}
	if n := a.GzipSize("embed.js") + a.GzipSize("site.js"); n > 20<<10 {
		t.Errorf("scripts are %d bytes gzipped; budget 20 KB", n)
	}
}

func TestFramedPagesPostTheirHeight(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	js := h.get(t, h.site.assets.Path("site.js"))
	for _, s := range []string{`classList.contains("embed")`, `window.parent.postMessage({ slotwise: "height"`} {
		if !strings.Contains(js.Body, s) {
			t.Errorf("site.js lacks %q", s)
		}
	}
}

func TestErrorPagesInsideTheFrameKeepTheEmbedLayout(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.allowFraming("rosa", "https://www.salon-rosa.example")
	p := h.get(t, "/embed/b/rosa/svc_nope")
	wantStatus(t, p, http.StatusNotFound)
	wantHTML(t, p, `<body class="embed">`, "Page not found", `href="/b/rosa/embed"`)
	wantNot(t, p, "<footer", `class="site-header"`, `href="/"`)
	if fa := frameAncestors(t, p); fa != "https://www.salon-rosa.example" {
		t.Errorf("frame-ancestors = %s: the business's frame should show why", fa)
	}
	unknown := h.get(t, "/embed/m/not-a-token")
	wantStatus(t, unknown, http.StatusNotFound)
	if fa := frameAncestors(t, unknown); fa != "'none'" {
		t.Errorf("unknown booking: frame-ancestors %s", fa)
	}
}
