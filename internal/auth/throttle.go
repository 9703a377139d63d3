package auth

import (
	"net"
	"time"
)

// ThrottleRules limit failed logins. They hold across instances because
// failures are recorded in the auth database.
type ThrottleRules struct {
	// Window is how far back failures count.
	Window time.Duration
	// PerEmail and PerAddress are the failures within Window after which
	// logins for that e-mail or from that client address are refused.
	PerEmail   int
	PerAddress int
}

// DefaultThrottle is 5 failures per e-mail or 20 per address in 15 min.
var DefaultThrottle = ThrottleRules{Window: 15 * time.Minute, PerEmail: 5, PerAddress: 20}

// throttleKey names the failures of one e-mail or one client address.
func emailKey(email string) string { return "email:" + email }

func addressKey(addr string) string { return "addr:" + addr }

// ClientAddress returns the host of a request's remote address ("ip:port").
func ClientAddress(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

// Blocked reports whether failures (ascending, all within the window)
// reach limit at now, and when the oldest failure that keeps it blocked
// leaves the window.
func (r ThrottleRules) Blocked(failures []time.Time, limit int, now time.Time) (retryAfter time.Duration, blocked bool) {
	if limit <= 0 || len(failures) < limit {
		return 0, false
	}
	// Once failures[len-limit] leaves the window, fewer than limit remain.
	free := failures[len(failures)-limit].Add(r.Window)
	if !free.After(now) {
		return 0, false
	}
	return free.Sub(now), true
}
