package static_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/web/static"
)

func TestStableServesTheEmbedScriptWithAShortCache(t *testing.T) {
	t.Parallel()
	a, err := static.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := a.Stable("embed.js", 10*time.Minute)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/embed.js", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "public, max-age=600" ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") || !strings.Contains(rec.Body.String(), "data-slotwise") {
		t.Fatalf("GET: %d %v", rec.Code, rec.Header())
	}
	etag := rec.Header().Get("ETag")
	if !strings.Contains(a.Path("embed.js"), strings.Trim(etag, `"`)) {
		t.Errorf("ETag %s is not the content hash of %s", etag, a.Path("embed.js"))
	}
	again := httptest.NewRequest(http.MethodGet, "/embed.js", nil)
	again.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, again)
	if rec.Code != http.StatusNotModified {
		t.Errorf("with its ETag: %d, want 304", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/embed.js", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("POST: %d, want 404", rec.Code)
	}
	defer func() {
		if recover() == nil {
			t.Error("Stable of an unknown asset did not panic")
		}
	}()
	a.Stable("nope.js", time.Minute)
}
