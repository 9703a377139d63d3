package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/auth"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"ada@example.com", "ada@example.com", true},
		{"  Ada.Lovelace@Example.COM ", "ada.lovelace@example.com", true},
		{"", "", false},
		{"ada", "", false},
		{"ada@", "", false},
		{"@example.com", "", false},
		{"ada@localhost", "", false},
		{"Ada <ada@example.com>", "", false},
		{"ada@example.com.", "", false},
		{"a b@example.com", "", false},
		{strings.Repeat("a", 250) + "@example.com", "", false},
	}
	for _, tc := range tests {
		got, err := auth.NormalizeEmail("email", tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("%q: got %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if !tc.ok {
			if e := apperr.As(err); err == nil || e.Code != apperr.Invalid || e.Field != "email" {
				t.Errorf("%q: got %q, %v; want an invalid error on field email", tc.in, got, err)
			}
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := map[string]bool{
		"":                          false,
		"short":                     false,
		"1234567":                   false,
		"12345678":                  true,
		"ünïcødé!":                  true, // 8 characters, more bytes
		strings.Repeat("x", 128):    true,
		strings.Repeat("x", 129):    false,
		strings.Repeat("é", 128):    true,
		"correct horse battery sta": true,
	}
	for pw, ok := range tests {
		err := auth.CheckPassword("password", pw)
		if ok != (err == nil) {
			t.Errorf("%q (%d chars): err = %v, want ok=%v", pw, len([]rune(pw)), err, ok)
		}
		if err != nil && apperr.As(err).Field != "password" {
			t.Errorf("%q: field = %q", pw, apperr.As(err).Field)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Ada", "Ada", true},
		{"  Ada  ", "Ada", true},
		{"", "", false},
		{"   ", "", false},
		{strings.Repeat("é", 100), strings.Repeat("é", 100), true},
		{strings.Repeat("é", 101), "", false},
		{"Ada\x00", "", false},
	}
	for _, tc := range tests {
		got, err := auth.NormalizeName("firstName", tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("%q: got %q, %v; want %q ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestRegistrationRoles(t *testing.T) {
	tests := []struct {
		role       auth.Role
		allowAdmin bool
		want       apperr.Code
	}{
		{auth.RoleOwner, false, ""},
		{auth.RoleClient, false, ""},
		{auth.RoleAdmin, false, apperr.Forbidden},
		{auth.RoleAdmin, true, ""},
		{"", false, apperr.Invalid},
		{"superuser", true, apperr.Invalid},
	}
	for _, tc := range tests {
		r := auth.Registration{Email: "a@example.com", Password: "12345678", FirstName: "A", LastName: "B", Role: tc.role}
		err := r.Validate(tc.allowAdmin)
		if apperr.CodeOf(err) != tc.want || (err != nil && apperr.As(err).Field != "role") {
			t.Errorf("role %q allowAdmin=%v: %v, want code %q on field role", tc.role, tc.allowAdmin, err, tc.want)
		}
	}
}

func TestPatchApplyReportsOnlyChanges(t *testing.T) {
	str := func(s string) *string { return &s }
	u := auth.User{ID: "user_1", Email: "a@example.com", FirstName: "Ada", LastName: "Lovelace"}
	p := auth.Patch{FirstName: str("Ada"), LastName: str("King"), Email: str(" A@Example.com "), Password: str("new password")}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	changes, pw := p.Apply(&u)
	if len(changes) != 1 || changes["lastName"] != "King" || !pw {
		t.Errorf("changes = %v, password %v; want only lastName, and the password flagged", changes, pw)
	}
	if _, leaked := changes["password"]; leaked {
		t.Error("the password is in the changes")
	}
	if u.LastName != "King" || u.Email != "a@example.com" {
		t.Errorf("user after apply = %+v", u)
	}
}

func TestThrottleBlocked(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	r := auth.ThrottleRules{Window: 15 * time.Minute, PerEmail: 5, PerAddress: 20}
	ago := func(mins ...int) []time.Time {
		var out []time.Time
		for _, m := range mins {
			out = append(out, now.Add(-time.Duration(m)*time.Minute))
		}
		return out
	}
	tests := []struct {
		name      string
		failures  []time.Time
		wantBlock bool
		wantRetry time.Duration
	}{
		{"none", nil, false, 0},
		{"four is under the limit", ago(4, 3, 2, 1), false, 0},
		{"five blocks until the oldest leaves the window", ago(10, 4, 3, 2, 1), true, 5 * time.Minute},
		{"six blocks until the second oldest leaves", ago(12, 10, 4, 3, 2, 1), true, 5 * time.Minute},
		{"the oldest exactly at the window edge frees", ago(15, 4, 3, 2, 1), false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			retry, blocked := r.Blocked(tc.failures, r.PerEmail, now)
			if blocked != tc.wantBlock || retry != tc.wantRetry {
				t.Errorf("Blocked = %v, %v; want %v, %v", retry, blocked, tc.wantRetry, tc.wantBlock)
			}
		})
	}
}

func TestClientAddress(t *testing.T) {
	for in, want := range map[string]string{"10.0.0.1:5555": "10.0.0.1", "[::1]:80": "::1", "weird": "weird"} {
		if got := auth.ClientAddress(in); got != want {
			t.Errorf("ClientAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
