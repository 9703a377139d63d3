package payment

import (
	"context"
	"errors"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
)

// RefundQuote is what cancelling a booking at a given moment refunds: the
// refund policy applied as the saga applies it when booking.cancelled
// arrives. Money in minor units of Currency.
type RefundQuote struct {
	// Amount is what the cancellation refunds.
	Amount int64
	// Paid is what was paid and not refunded yet: the most a refund could
	// be. 0 when nothing was paid (an unpaid payment is canceled, not
	// refunded) or the booking has no payment yet.
	Paid int64
	// Currency is the payment's ("" when there is no payment yet).
	Currency string
	// Rule is the refund policy in words (RefundPolicy.Words).
	Rule string
}

// Refunds reports whether the cancellation refunds anything.
func (q RefundQuote) Refunds() bool { return q.Amount > 0 }

// CancellationRefund states, before anyone cancels, what cancelling the
// booking at at would refund — the computation the saga makes when the
// booking.cancelled of a cancellation at that time arrives — and the
// policy in words. Those who may see the booking's payment may ask
// (PaymentOfBooking's rule); anyone else learns nothing (404; 401 without
// credentials). A booking already cancelled or expired has been settled:
// cancelling again refunds nothing.
func (s *Service) CancellationRefund(ctx context.Context, c Caller, bookingID string, at time.Time) (RefundQuote, error) {
	if c.UserID == "" && c.Token == "" {
		return RefundQuote{}, apperr.New(apperr.Unauthenticated, "sign in or pass the booking's manage token as ?token=")
	}
	bk, err := s.store.Booking(ctx, bookingID)
	if err != nil {
		return RefundQuote{}, notFound(err, "no booking %q", bookingID)
	}
	ok, err := s.mayView(ctx, c, bk)
	if err != nil {
		return RefundQuote{}, err
	}
	if !ok {
		return RefundQuote{}, apperr.New(apperr.NotFound, "no booking %q", bookingID)
	}
	q := RefundQuote{Rule: s.policy.Words()}
	p, err := s.store.PaymentByBooking(ctx, bookingID)
	if errors.Is(err, ErrNotFound) {
		return q, nil
	}
	if err != nil {
		return RefundQuote{}, err
	}
	q.Paid, q.Currency = p.Refundable(), p.Currency
	if bk.State != BookingCancelled && bk.State != BookingExpired {
		q.Amount = s.cancellationRefund(p, bk.StartTime, at.UTC())
	}
	return q, nil
}
