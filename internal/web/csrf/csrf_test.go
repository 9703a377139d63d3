package csrf_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/web/csrf"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, err := csrf.New([]byte(strings.Repeat("k", 32)), time.Hour, clock)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := csrf.New([]byte(strings.Repeat("x", 32)), time.Hour, clock)
	tok := s.Token("/b/demo/svc/book", "")
	tests := []struct {
		name    string
		signer  *csrf.Signer
		token   string
		action  string
		binding string
		want    error
	}{
		{"accepted for its action", s, tok, "/b/demo/svc/book", "", nil},
		{"refused for another action", s, tok, "/m/x/y/cancel", "", csrf.ErrInvalid},
		{"refused for another binding", s, tok, "/b/demo/svc/book", "session-1", csrf.ErrInvalid},
		{"refused under another key", other, tok, "/b/demo/svc/book", "", csrf.ErrInvalid},
		{"refused when empty", s, "", "/b/demo/svc/book", "", csrf.ErrInvalid},
		{"refused when tampered", s, flip(tok), "/b/demo/svc/book", "", csrf.ErrInvalid},
		{"refused when not base64", s, "%%%", "/b/demo/svc/book", "", csrf.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.signer.Check(tt.token, tt.action, tt.binding); !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestTokensAreFreshAndExpire(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s, err := csrf.New([]byte(strings.Repeat("k", 32)), time.Hour, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Token("/p", ""), s.Token("/p", "")
	if a == b {
		t.Fatal("two tokens for one action are equal; want a fresh nonce each")
	}
	now = now.Add(time.Hour + time.Second)
	if err := s.Check(a, "/p", ""); !errors.Is(err, csrf.ErrExpired) {
		t.Fatalf("Check after expiry = %v, want ErrExpired", err)
	}
}

func TestNewRefusesShortKey(t *testing.T) {
	t.Parallel()
	if _, err := csrf.New([]byte("short"), time.Hour, nil); err == nil {
		t.Fatal("New accepted a 5-byte key")
	}
}

func flip(tok string) string {
	b := []byte(tok)
	if b[len(b)-2] == 'A' {
		b[len(b)-2] = 'B'
	} else {
		b[len(b)-2] = 'A'
	}
	return string(b)
}
