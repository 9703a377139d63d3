package payment

import (
	"fmt"
	"time"
)

// DefaultRefundWindow is how long before the start a cancellation still
// gets a full refund by default.
const DefaultRefundWindow = 24 * time.Hour

// RefundPolicy decides how much of a paid booking a cancellation refunds.
type RefundPolicy struct {
	// Window: cancelled at least this long before the start → full refund.
	Window time.Duration
	// LatePercent of the amount is refunded for a later cancellation
	// (default 0: none).
	LatePercent int
}

// ForCancellation returns the refund of a payment of amount whose booking
// starting at start was cancelled at cancelledAt.
func (rp RefundPolicy) ForCancellation(amount int64, start, cancelledAt time.Time) int64 {
	if start.Sub(cancelledAt) >= rp.Window {
		return amount
	}
	pct := min(max(rp.LatePercent, 0), 100)
	return amount * int64(pct) / 100
}

// Words states the policy for people, e.g. "Cancellations at least 24
// hours before the start are refunded in full; later ones are not
// refunded."
func (rp RefundPolicy) Words() string {
	pct := min(max(rp.LatePercent, 0), 100)
	switch {
	case pct == 100:
		return "Cancellations are refunded in full."
	case pct > 0:
		return fmt.Sprintf("Cancellations at least %s before the start are refunded in full; later ones get %d%% back.", windowWords(rp.Window), pct)
	}
	return fmt.Sprintf("Cancellations at least %s before the start are refunded in full; later ones are not refunded.", windowWords(rp.Window))
}

// windowWords is a refund window in words: "24 hours", "2 days",
// "90 minutes".
func windowWords(d time.Duration) string {
	unit := func(n int64, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return unit(int64(d/(24*time.Hour)), "day", "days")
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour", "hours")
	}
	return unit(int64(d/time.Minute), "minute", "minutes")
}
