package business

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slotwise/slotwise/internal/apperr"
)

// Profile limits: a business's description, its postal address and the
// origins that may embed its booking page.
const (
	MaxAddressLen      = 500
	MaxAddressLines    = 10
	MaxEmbedOrigins    = 10
	maxEmbedOriginLen  = 300
	embedOriginExample = "https://www.example.com"
)

// CheckDescription validates a description (plain text shown as written:
// line breaks kept, \r\n made \n, no other control characters) of at most
// MaxDescriptionLen characters. It returns the trimmed text; "" clears it.
func CheckDescription(field, s string) (string, error) {
	s, err := plainText(field, s)
	if err != nil {
		return "", err
	}
	if utf8.RuneCountInString(s) > MaxDescriptionLen {
		return "", apperr.Field(apperr.Invalid, field, "%s must be at most %d characters", field, MaxDescriptionLen)
	}
	return s, nil
}

// CheckAddress validates a postal address: plain text of at most
// MaxAddressLines lines and MaxAddressLen characters. Each line is trimmed
// and blank lines are dropped, so the result is the lines joined by \n
// ("" clears the address).
func CheckAddress(s string) (string, error) {
	const field = "address"
	s, err := plainText(field, s)
	if err != nil {
		return "", err
	}
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	s = strings.Join(lines, "\n")
	switch {
	case len(lines) > MaxAddressLines:
		return "", apperr.Field(apperr.Invalid, field, "address must be at most %d lines", MaxAddressLines)
	case utf8.RuneCountInString(s) > MaxAddressLen:
		return "", apperr.Field(apperr.Invalid, field, "address must be at most %d characters", MaxAddressLen)
	}
	return s, nil
}

// plainText trims s, turns \r\n and \r into \n and refuses control
// characters other than line breaks and tabs (PostgreSQL refuses NUL, and
// the text goes into e-mails and calendar files).
func plainText(field, s string) (string, error) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", apperr.Field(apperr.Invalid, field, "%s must be plain text without control characters", field)
		}
	}
	return strings.TrimSpace(s), nil
}

// CheckEmbedOrigins validates the origins allowed to show the booking page
// in a frame (they go into a CSP frame-ancestors directive): at most
// MaxEmbedOrigins, each an https origin such as https://www.example.com —
// no path, query, fragment, user or wildcard; http only for localhost,
// 127.0.0.1 and [::1]. Origins are normalised (lower case, default port
// and a lone trailing "/" dropped) and may not repeat. An empty list
// clears them; the result is then nil.
func CheckEmbedOrigins(origins []string) ([]string, error) {
	if len(origins) > MaxEmbedOrigins {
		return nil, apperr.Field(apperr.Invalid, "embedOrigins", "embedOrigins may list at most %d origins", MaxEmbedOrigins)
	}
	var out []string
	seen := map[string]int{}
	for i, raw := range origins {
		field := fmt.Sprintf("embedOrigins[%d]", i)
		o, err := checkOrigin(field, raw)
		if err != nil {
			return nil, err
		}
		if j, dup := seen[o]; dup {
			return nil, apperr.Field(apperr.Invalid, field, "%s: %s is already listed as embedOrigins[%d]", field, o, j)
		}
		seen[o] = i
		out = append(out, o)
	}
	return out, nil
}

// checkOrigin validates and normalises one origin.
func checkOrigin(field, raw string) (string, error) {
	o, problem := normaliseOrigin(strings.TrimSpace(raw))
	if problem != "" {
		return "", apperr.Field(apperr.Invalid, field, "%s: %s (an origin looks like %s)", field, problem, embedOriginExample)
	}
	return o, nil
}

// normaliseOrigin returns s as scheme://host[:port], or what is wrong with it.
func normaliseOrigin(s string) (origin, problem string) {
	if s == "" || len(s) > maxEmbedOriginLen {
		return "", fmt.Sprintf("must be 1 to %d characters", maxEmbedOriginLen)
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return "", fmt.Sprintf("%q is not an absolute origin", s)
	}
	if problem := extraParts(u, s); problem != "" {
		return "", problem
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if !validHost(host) {
		return "", fmt.Sprintf("%q is not a host name or IP address", u.Hostname())
	}
	local := host == "localhost" || host == "127.0.0.1" || host == "::1"
	switch {
	case scheme == "http" && !local:
		return "", "must use https (http only for localhost)"
	case scheme != "https" && scheme != "http":
		return "", "must use https"
	}
	if n, err := strconv.Atoi(port); port != "" && (err != nil || n < 1 || n > 65535 || port[0] == '0') {
		return "", fmt.Sprintf("port %q is not a port number", port)
	}
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, ""
}

// extraParts names what an origin must not have beyond scheme, host and
// port (a lone trailing "/" is tolerated).
func extraParts(u *url.URL, s string) string {
	switch {
	case u.User != nil:
		return "must not carry a user name or password"
	case (u.Path != "" && u.Path != "/") || u.RawPath != "":
		return "must not have a path"
	case u.RawQuery != "" || u.ForceQuery:
		return "must not have a query"
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "must not have a fragment"
	}
	return ""
}

// validHost accepts an IP address (IPv6 without a zone) or a DNS name of
// ASCII labels (IDNs in their xn-- form) whose last label is not numeric —
// nothing a CSP header could misread.
func validHost(h string) bool {
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.Zone() == ""
	}
	if len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	for _, label := range labels {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
}
