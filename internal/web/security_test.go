package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/web/static"
)

// The real services satisfy the interfaces as they are.
var (
	_ Businesses = (*business.Service)(nil)
	_ Scheduler  = (*scheduling.Service)(nil)
	_ Payments   = (*payment.Service)(nil)
)

const wantCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"

func TestSecurityHeadersOnEveryHTMLAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	path := h.book(t, "svc_cut", slotStart, "")
	for _, p := range []string{"/", "/b/rosa", "/b/rosa/svc_cut", formPath + slotQuery, path, path + "/cancel", path + "/reschedule", "/b/nope"} {
		t.Run(p, func(t *testing.T) {
			got := h.get(t, p)
			for name, want := range map[string]string{
				"Content-Security-Policy": wantCSP,
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "strict-origin-when-cross-origin",
				"X-Frame-Options":         "DENY",
				"Cache-Control":           "no-store",
			} {
				if v := got.Header.Get(name); v != want {
					t.Errorf("%s = %q, want %q", name, v, want)
				}
			}
			if strings.Contains(got.Body, "<script>") || strings.Contains(got.Body, " style=") || strings.Contains(got.Body, "<style") {
				t.Error("page has inline script or style, which the CSP forbids")
			}
		})
	}
}

func TestHTMLIsGzippedWhenAccepted(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := h.get(t, "/b/rosa/svc_cut", "Accept-Encoding", "gzip, deflate, br")
	if p.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", p.Header.Get("Content-Encoding"))
	}
	wantHTML(t, p, "<h1>Haircut</h1>")
	plain := h.get(t, "/b/rosa/svc_cut", "Accept-Encoding", "gzip;q=0")
	if plain.Header.Get("Content-Encoding") != "" {
		t.Fatal("gzipped although the client refused it")
	}
}

var assetRE = regexp.MustCompile(`/static/site\.[0-9a-f]{12}\.(css|js)`)

func TestAssetsAreHashedCachedAndGzipped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	page := h.get(t, "/")
	paths := assetRE.FindAllString(page.Body, -1)
	if len(paths) != 2 {
		t.Fatalf("asset paths in page = %v, want the CSS and the script", paths)
	}
	for _, p := range paths {
		got := h.get(t, p, "Accept-Encoding", "gzip")
		wantStatus(t, got, http.StatusOK)
		if cc := got.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s Cache-Control = %q", p, cc)
		}
		if got.Header.Get("Content-Encoding") != "gzip" || len(got.Body) < 100 {
			t.Errorf("%s not served gzipped", p)
		}
		ct := got.Header.Get("Content-Type")
		if (strings.HasSuffix(p, ".css") && !strings.HasPrefix(ct, "text/css")) || (strings.HasSuffix(p, ".js") && !strings.HasPrefix(ct, "text/javascript")) {
			t.Errorf("%s Content-Type = %q", p, ct)
		}
		etag := got.Header.Get("ETag")
		if again := h.get(t, p, "If-None-Match", etag); again.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its ETag = %d, want 304", p, again.StatusCode)
		}
	}
	for _, p := range []string{"/static/site.css", "/static/site.000000000000.css", "/static/nope.js"} {
		if got := h.get(t, p); got.StatusCode != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", p, got.StatusCode)
		}
	}
}

func TestAssetBudgets(t *testing.T) {
	t.Parallel()
	a, err := static.Load()
	if err != nil {
		t.Fatal(err)
	}
	for name, budget := range map[string]int{"site.css": 15 << 10, "site.js": 20 << 10} {
		if n := a.GzipSize(name); n == 0 || n > budget {
			t.Errorf("%s is %d bytes gzipped; budget %d", name, n, budget)
		}
	}
}

func TestEmbedLayoutHasNoHeaderOrFooter(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := httptest.NewRecorder()
	h.site.render(rec, httptest.NewRequest(http.MethodGet, "/b/rosa/embed", nil), http.StatusOK, "landing", view{Title: "x", Embed: true, Main: landingView{}})
	body := rec.Body.String()
	if strings.Contains(body, "<header") || strings.Contains(body, "<footer") || !strings.Contains(body, `<body class="embed">`) || !strings.Contains(body, `<main id="main"`) {
		t.Fatalf("embed page:\n%s", body)
	}
}

// failingBusinesses fails every read, or panics.
type failingBusinesses struct{ panics bool }

func (f failingBusinesses) Public(context.Context, string) (business.PublicView, error) {
	if f.panics {
		panic("boom")
	}
	return business.PublicView{}, errors.New("database is on fire: secret detail")
}

func (f failingBusinesses) PublicByID(context.Context, string) (business.PublicView, error) {
	return business.PublicView{}, errors.New("down")
}

func TestInternalErrorsAreHTML500WithoutDetails(t *testing.T) {
	t.Parallel()
	for _, panics := range []bool{false, true} {
		h := newHarness(t)
		h.site.deps.Businesses = failingBusinesses{panics: panics}
		p := h.get(t, "/b/rosa")
		wantStatus(t, p, http.StatusInternalServerError)
		wantHTML(t, p, "Something went wrong")
		wantNot(t, p, "secret detail", "boom")
	}
}

func TestNewRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	if _, err := New(Deps{}, Config{}); err == nil {
		t.Fatal("New without services succeeded")
	}
	h := newHarness(t)
	if _, err := New(h.site.deps, Config{CSRFKey: []byte("short")}); err == nil {
		t.Fatal("New with a short CSRF key succeeded")
	}
}
