package static_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/web/static"
)

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"deflate, gzip;q=1.0, *;q=0.5", true},
		{"br, GZIP", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"identity", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", tt.header)
		if got := static.AcceptsGzip(r); got != tt.want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestPathsChangeWithContentOnly(t *testing.T) {
	t.Parallel()
	a, err := static.Load()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := static.Load()
	for _, name := range []string{"site.css", "site.js"} {
		p := a.Path(name)
		if p != b.Path(name) || !strings.HasPrefix(p, static.Prefix+strings.TrimSuffix(name, name[strings.LastIndex(name, "."):])+".") {
			t.Errorf("Path(%q) = %q; want a stable hashed path", name, p)
		}
	}
}
