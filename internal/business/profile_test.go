package business

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/apperr"
)

func TestEmbedOriginsAcceptedAndNormalised(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"https://www.example.com":       "https://www.example.com",
		"  https://www.example.com/  ":  "https://www.example.com",
		"HTTPS://WWW.Example.COM":       "https://www.example.com",
		"https://example.com:443":       "https://example.com",
		"https://example.com:8443":      "https://example.com:8443",
		"https://xn--bcher-kva.example": "https://xn--bcher-kva.example",
		"https://203.0.113.7":           "https://203.0.113.7",
		"https://[2001:db8::1]:8443":    "https://[2001:db8::1]:8443",
		"http://localhost:3000":         "http://localhost:3000",
		"http://127.0.0.1":              "http://127.0.0.1",
		"http://[::1]:8080":             "http://[::1]:8080",
		"http://localhost:80":           "http://localhost",
		"https://intranet":              "https://intranet",
	}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			got, err := CheckEmbedOrigins([]string{in})
			if err != nil || !reflect.DeepEqual(got, []string{want}) {
				t.Fatalf("CheckEmbedOrigins(%q) = %v, %v; want [%s]", in, got, err, want)
			}
		})
	}
	if got, err := CheckEmbedOrigins([]string{}); err != nil || got != nil {
		t.Fatalf("empty list = %#v, %v; want nil", got, err)
	}
}

func TestEmbedOriginsRefusedNamingTheEntry(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"empty":               "",
		"blank":               "   ",
		"no_scheme":           "www.example.com",
		"relative":            "/embed",
		"http_public":         "http://www.example.com",
		"ftp":                 "ftp://example.com",
		"javascript":          "javascript:alert(1)",
		"data":                "data:text/html,hi",
		"path":                "https://example.com/booking",
		"double_slash_path":   "https://example.com//",
		"query":               "https://example.com?x=1",
		"empty_query":         "https://example.com/?",
		"fragment":            "https://example.com#top",
		"empty_fragment":      "https://example.com#",
		"user":                "https://me@example.com",
		"wildcard":            "https://*.example.com",
		"csp_injection":       "https://example.com;script-src",
		"space_in_host":       "https://exa mple.com",
		"comma":               "https://a.example,https://b.example",
		"underscore_host":     "https://my_host.example",
		"trailing_dot":        "https://example.com.",
		"label_dash":          "https://-example.com",
		"numeric_tld":         "https://999.1.1.1",
		"unicode_host":        "https://bücher.example",
		"port_zero":           "https://example.com:0",
		"port_too_big":        "https://example.com:70000",
		"port_leading_zero":   "https://example.com:0443",
		"ipv6_zone":           "https://[fe80::1%25eth0]",
		"http_lookalike_host": "http://localhost.example.com",
		"too_long":            "https://" + strings.Repeat("a", 300) + ".example",
	}
	for name, origin := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := CheckEmbedOrigins([]string{"https://ok.example", origin})
			if e := apperr.As(err); e.Code != apperr.Invalid || e.Field != "embedOrigins[1]" {
				t.Fatalf("CheckEmbedOrigins(%q) = %v, want an invalid embedOrigins[1]", origin, err)
			}
		})
	}
	t.Run("duplicate_after_normalising", func(t *testing.T) {
		_, err := CheckEmbedOrigins([]string{"https://a.example", "https://b.example", "HTTPS://A.example:443/"})
		if e := apperr.As(err); e.Field != "embedOrigins[2]" || !strings.Contains(e.Message, "embedOrigins[0]") {
			t.Fatalf("duplicate = %v, want embedOrigins[2] naming [0]", err)
		}
	})
	t.Run("too_many", func(t *testing.T) {
		var many []string
		for i := range MaxEmbedOrigins + 1 {
			many = append(many, fmt.Sprintf("https://s%d.example", i))
		}
		if _, err := CheckEmbedOrigins(many[:MaxEmbedOrigins]); err != nil {
			t.Fatalf("%d origins: %v", MaxEmbedOrigins, err)
		}
		if _, err := CheckEmbedOrigins(many); apperr.As(err).Field != "embedOrigins" {
			t.Fatalf("%d origins = %v, want an embedOrigins error", len(many), err)
		}
	})
}

func TestAddressNormalisedAndBounded(t *testing.T) {
	t.Parallel()
	ok := map[string]string{
		"  Hauptstraße 1  ":                          "Hauptstraße 1",
		"Hauptstraße 1\r\n\r\n  10115 Berlin \rDE\n": "Hauptstraße 1\n10115 Berlin\nDE",
		"":                                     "",
		"Suite 5,\tFloor 2":                    "Suite 5,\tFloor 2",
		strings.Repeat("x", MaxAddressLen):     strings.Repeat("x", MaxAddressLen),
		strings.Repeat("é", MaxAddressLen):     strings.Repeat("é", MaxAddressLen),
		strings.Repeat("a\n", MaxAddressLines): strings.TrimSuffix(strings.Repeat("a\n", MaxAddressLines), "\n"),
	}
	for in, want := range ok {
		if got, err := CheckAddress(in); err != nil || got != want {
			t.Errorf("CheckAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{
		strings.Repeat("x", MaxAddressLen+1),
		strings.Repeat("a\n", MaxAddressLines+1),
		"Main St\x00 1",
		"Main St\x1b[31m",
	}
	for _, in := range bad {
		if _, err := CheckAddress(in); apperr.As(err).Field != "address" {
			t.Errorf("CheckAddress(%.20q…) = %v, want an address error", in, err)
		}
	}
}

func TestDescriptionKeepsLinesAndRefusesControls(t *testing.T) {
	t.Parallel()
	if got, err := CheckDescription("description", "  Hello\r\n\r\nWorld <b>\t!  "); err != nil || got != "Hello\n\nWorld <b>\t!" {
		t.Fatalf("CheckDescription = %q, %v", got, err)
	}
	if got, err := CheckDescription("description", strings.Repeat("ß", MaxDescriptionLen)); err != nil || got == "" {
		t.Fatalf("at the limit: %v", err)
	}
	for _, in := range []string{strings.Repeat("x", MaxDescriptionLen+1), "a\x00b", "bell\a", "del\x7f"} {
		if _, err := CheckDescription("description", in); apperr.As(err).Field != "description" {
			t.Errorf("CheckDescription(%.20q…) = %v, want a description error", in, err)
		}
	}
}

func TestBusinessPatchProfileChanges(t *testing.T) {
	t.Parallel()
	b, err := NewBusiness{
		Name: ptr("Studio"), Subdomain: ptr("studio"), TimeZone: ptr("UTC"),
		Description: ptr(" Hi "), EmbedOrigins: &[]string{"https://a.example/"},
	}.Build("user_1")
	if err != nil || b.Description != "Hi" || b.Address != "" || !reflect.DeepEqual(b.EmbedOrigins, []string{"https://a.example"}) {
		t.Fatalf("Build = %+v, %v", b, err)
	}
	steps := []struct {
		name  string
		patch BusinessPatch
		want  map[string]any
	}{
		{"address_set", BusinessPatch{Address: ptr("1 Main St\r\nTown")}, map[string]any{"address": "1 Main St\nTown"}},
		{"same_values_no_change", BusinessPatch{Description: ptr("Hi"), Address: ptr(" 1 Main St\nTown "), EmbedOrigins: &[]string{"HTTPS://a.example"}}, map[string]any{}},
		{"origins_replaced", BusinessPatch{EmbedOrigins: &[]string{"https://a.example", "https://b.example"}}, map[string]any{"embedOrigins": []string{"https://a.example", "https://b.example"}}},
		{"cleared", BusinessPatch{Description: ptr(""), Address: ptr("  "), EmbedOrigins: &[]string{}}, map[string]any{"description": "", "address": "", "embedOrigins": []string{}}},
	}
	for _, s := range steps {
		changes, err := s.patch.ApplyTo(&b)
		if err != nil || !reflect.DeepEqual(changes, s.want) {
			t.Fatalf("%s: changes = %#v, %v; want %#v", s.name, changes, err, s.want)
		}
	}
	if b.Description != "" || b.Address != "" || b.EmbedOrigins != nil {
		t.Fatalf("after clearing: %+v", b)
	}
	for field, p := range map[string]BusinessPatch{
		"description":     {Description: ptr(strings.Repeat("x", MaxDescriptionLen+1))},
		"address":         {Address: ptr("a\x00")},
		"embedOrigins[0]": {EmbedOrigins: &[]string{"http://example.com"}},
	} {
		if _, err := p.ApplyTo(&b); apperr.As(err).Field != field {
			t.Errorf("patch %s = %v, want a %s error", field, err, field)
		}
	}
}
