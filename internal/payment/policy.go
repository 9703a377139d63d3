package payment

import "time"

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
