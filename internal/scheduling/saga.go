package scheduling

import (
	"context"
	"fmt"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
)

// The saga's steps. Each runs in the transaction ctx carries (the consumer
// runtime's, with the inbox row), records its event with the booking's own
// correlation id, and is idempotent: only a pending booking moves. A
// pending booking ends confirmed (payment.succeeded) or expired (its hold
// ended unpaid); a declined payment does not end it.

// PaymentSucceeded confirms a pending booking; records booking.confirmed.
// A booking that expired or was cancelled meanwhile stays as it is (the
// payment service refunds the payment on the booking's cancellation or
// expiry event).
func (s *Service) PaymentSucceeded(ctx context.Context, d event.PaymentSucceeded) error {
	_, err := s.finish(ctx, d.BookingID, StatusConfirmed, "", "", nil)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil // not a booking of this service: nothing to do
	}
	return err
}

// PaymentFailed leaves the booking as it is: a declined attempt is not the
// end of the payment — the client may try again while the hold lasts, a
// later payment.succeeded confirms the booking, and if none comes the
// sweeper expires it when the hold ends (booking.expired frees the slot).
// The payments router still takes the event, so that it is acknowledged
// rather than dead-lettered.
func (s *Service) PaymentFailed(context.Context, event.PaymentFailed) error { return nil }

// ExpireDue expires up to limit pending bookings whose hold has ended, in
// one transaction: the rows are claimed so that, with several instances,
// each hold expires exactly once; records booking.expired for each.
func (s *Service) ExpireDue(ctx context.Context, limit int) (int, error) {
	n := 0
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		due, err := s.store.ClaimDueHolds(ctx, s.clock(), limit)
		if err != nil {
			return fmt.Errorf("claim due holds: %w", err)
		}
		for _, b := range due {
			if _, err := s.finish(ctx, b.ID, StatusExpired, "", "", nil); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, err
}
