package web

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/auth"
)

func TestSessionCodecSealsAndRefusesForgeries(t *testing.T) {
	t.Parallel()
	c, err := newSessionCodec([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newSessionCodec([]byte(strings.Repeat("x", 32)))
	st := sessionState{ID: newID(), Refresh: "refresh-1", Access: "access-1", AccessExpires: 42, Name: "Ada <b>", Email: "ada@example.com"}
	v, err := c.seal(st)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(v, "refresh-1") || strings.Contains(v, "ada@") {
		t.Fatalf("cookie value shows its content: %s", v)
	}
	if again, _ := c.seal(st); again == v {
		t.Error("two seals of one state are equal; want a fresh nonce each")
	}
	got, err := c.open(v)
	if err != nil || got != st {
		t.Fatalf("open = %+v, %v; want %+v", got, err, st)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(v)
	raw[len(raw)/2] ^= 1
	flipped := base64.RawURLEncoding.EncodeToString(raw)
	for name, bad := range map[string]string{
		"empty":         "",
		"not base64":    "%%%",
		"truncated":     v[:20],
		"tampered":      flipped,
		"another key's": mustSeal(t, other, st),
		"without id":    mustSeal(t, c, sessionState{Refresh: "r"}),
	} {
		if _, err := c.open(bad); !errors.Is(err, errBadCookie) {
			t.Errorf("open(%s) = %v, want errBadCookie", name, err)
		}
	}
	if _, err := newSessionCodec([]byte("short")); err == nil {
		t.Error("newSessionCodec accepted a 5-byte key")
	}
}

func mustSeal(t *testing.T, c *sessionCodec, st sessionState) string {
	t.Helper()
	v, err := c.seal(st)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLocalPathRefusesOtherSites(t *testing.T) {
	t.Parallel()
	tests := []struct{ next, want string }{
		{"/bookings", "/bookings"},
		{"/bookings?when=past&cursor=abc", "/bookings?when=past&cursor=abc"},
		{"/b/rosa/svc_cut", "/b/rosa/svc_cut"},
		{"/b/caf%C3%A9", "/b/caf%C3%A9"},
		{"", ""},
		{"bookings", ""},
		{"https://evil.example/", ""},
		{"//evil.example/x", ""},
		{"/\\evil.example", ""},
		{"\\\\evil.example", ""},
		{"/\t/evil.example", ""},
		{"/\n/evil.example", ""},
		{"javascript:alert(1)", ""},
		{"http:/evil.example", ""},
		{"/signout", ""},
		{"/signin?next=/x", ""},
	}
	for _, tt := range tests {
		if got := localPath(tt.next); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

// rotations is a fake refresh-token rotation: each token may be spent
// once; spending a spent one revokes the family (like the auth service).
type rotations struct {
	mu      sync.Mutex
	spent   map[string]bool
	revoked bool
	calls   atomic.Int32
	n       int
}

func (f *rotations) rotate(_ context.Context, token string) (auth.Session, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.spent[token] || f.revoked {
		f.revoked = true
		return auth.Session{}, errors.New("refresh token reused")
	}
	f.spent[token] = true
	f.n++
	return auth.Session{RefreshToken: token + "+", AccessToken: "access"}, nil
}

func TestRefresherRotatesEachTokenOnce(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 7, 7, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	f := &rotations{spent: map[string]bool{}}
	r := newRefresher(f.rotate, clock)

	var wg sync.WaitGroup
	got := make([]string, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := r.refresh(context.Background(), "r1")
			if err != nil {
				t.Errorf("request %d: %v", i, err)
			}
			got[i] = s.RefreshToken
		}()
	}
	wg.Wait()
	for i, g := range got {
		if g != "r1+" {
			t.Errorf("request %d got %q, want r1+", i, g)
		}
	}
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("rotations = %d, want 1 for 16 requests with one token", n)
	}

	// Past the grace period the spent token is presented again: the
	// auth service's reuse detection decides (here: revoked).
	mu.Lock()
	now = now.Add(refreshGrace + time.Second)
	mu.Unlock()
	if _, err := r.refresh(context.Background(), "r1"); err == nil {
		t.Fatal("spent token after the grace period: rotated again, want the auth service's refusal")
	}
	if !f.revoked {
		t.Fatal("the family was not revoked")
	}
}

func TestRefresherDoesNotKeepFailures(t *testing.T) {
	t.Parallel()
	var calls int
	fail := true
	r := newRefresher(func(context.Context, string) (auth.Session, error) {
		calls++
		if fail {
			return auth.Session{}, errors.New("database unavailable")
		}
		return auth.Session{RefreshToken: "r2"}, nil
	}, time.Now)
	if _, err := r.refresh(context.Background(), "r1"); err == nil {
		t.Fatal("want the failure")
	}
	fail = false
	if s, err := r.refresh(context.Background(), "r1"); err != nil || s.RefreshToken != "r2" || calls != 2 {
		t.Fatalf("after a failure: %+v, %v, %d calls; want a new rotation", s, err, calls)
	}
}

func TestEndedSessionsForgetAfterTheAccessTokenExpired(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 7, 7, 0, 0, 0, time.UTC)
	e := newEndedSessions(func() time.Time { return now })
	e.end("s1", now.Add(10*time.Minute))
	if !e.ended("s1") || e.ended("s2") {
		t.Fatal("ended: want s1 only")
	}
	now = now.Add(10*time.Minute + 30*time.Second)
	if !e.ended("s1") {
		t.Fatal("forgotten before the access token's expiry plus skew")
	}
	now = now.Add(2 * time.Minute)
	e.end("s3", now) // prunes
	if e.ended("s1") {
		t.Fatal("still remembered long after its access token expired")
	}
	if len(e.until) != 1 {
		t.Fatalf("remembered %d sessions, want 1", len(e.until))
	}
}

func TestWaitWords(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		500 * time.Millisecond:          "1 second",
		40 * time.Second:                "40 seconds",
		time.Minute:                     "1 minute",
		14*time.Minute + time.Second:    "15 minutes",
		14*time.Minute + 59*time.Second: "15 minutes",
		15 * time.Minute:                "15 minutes",
	} {
		if got := waitWords(d); got != want {
			t.Errorf("waitWords(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestListQueryPagesBackAndForth(t *testing.T) {
	t.Parallel()
	q := listQuery{past: true}
	if q.prevURL() != "" || q.page() != 1 {
		t.Fatalf("first page: prev %q, page %d", q.prevURL(), q.page())
	}
	if got := q.nextURL("C1"); got != "/bookings?cursor=C1&when=past" {
		t.Fatalf("first page's next = %q", got)
	}
	q = listQuery{past: true, cursor: "C1"}
	if got := q.prevURL(); got != "/bookings?when=past" {
		t.Errorf("second page's prev = %q", got)
	}
	if got := q.nextURL("C2"); got != "/bookings?cursor=C2&prev=C1&when=past" {
		t.Errorf("second page's next = %q", got)
	}
	q = listQuery{cursor: "C3", trail: []string{"C1", "C2"}}
	if got, want := q.prevURL(), "/bookings?cursor=C2&prev=C1"; got != want {
		t.Errorf("fourth page's prev = %q, want %q", got, want)
	}
	if got, want := q.nextURL("C4"), "/bookings?cursor=C4&prev=C1.C2.C3"; got != want {
		t.Errorf("fourth page's next = %q, want %q", got, want)
	}
	if q.page() != 4 {
		t.Errorf("page = %d, want 4", q.page())
	}
	if q.trail[len(q.trail)-1] != "C2" {
		t.Error("nextURL changed the trail")
	}
	if q.nextURL("") != "" {
		t.Error("a next link without a next cursor")
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		publicURL string
		tls       bool
		want      string
	}{
		{"plain http", "http://127.0.0.1:8080", false, "sw_session=v; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"},
		{"https public URL (TLS ends at a proxy)", "https://book.example", false, "__Host-sw_session=v; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax"},
		{"served over TLS", "", true, "__Host-sw_session=v; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Site{cfg: Config{PublicURL: tt.publicURL}}
			r := httptest.NewRequest(http.MethodGet, "/bookings", nil)
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			jar := s.jarFor(r)
			rec := httptest.NewRecorder()
			jar.set(rec, sessionCookieName, "v", time.Hour)
			if got := rec.Header().Get("Set-Cookie"); got != tt.want {
				t.Errorf("Set-Cookie = %q, want %q", got, tt.want)
			}
			rec = httptest.NewRecorder()
			jar.clear(rec, sessionCookieName)
			if got := rec.Header().Get("Set-Cookie"); !strings.Contains(got, "Max-Age=0") || !strings.Contains(got, "HttpOnly") {
				t.Errorf("clearing Set-Cookie = %q", got)
			}
			r.AddCookie(&http.Cookie{Name: jar.name(sessionCookieName), Value: "sealed"})
			r.AddCookie(&http.Cookie{Name: "sw_session_other", Value: "x"})
			if got := jar.read(r, sessionCookieName); got != "sealed" {
				t.Errorf("read = %q", got)
			}
		})
	}
}
