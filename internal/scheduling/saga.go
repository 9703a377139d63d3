package scheduling

import (
	"context"
	"fmt"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
)

// The saga's steps. Each runs in the transaction ctx carries (the consumer
// runtime's, with the inbox row), records its event with the booking's own
// correlation id, and is idempotent: only a pending booking moves.

// PaymentSucceeded confirms a pending booking; records booking.confirmed.
// A booking that expired or was cancelled meanwhile stays as it is (the
// payment service refunds the payment on the booking's cancellation or
// expiry event).
func (s *Service) PaymentSucceeded(ctx context.Context, d event.PaymentSucceeded) error {
	return s.sagaStep(ctx, d.BookingID, StatusConfirmed, "")
}

// PaymentFailed cancels a pending booking with reason payment_failed,
// freeing its slot; records booking.cancelled.
func (s *Service) PaymentFailed(ctx context.Context, d event.PaymentFailed) error {
	return s.sagaStep(ctx, d.BookingID, StatusCancelled, ReasonPaymentFailed)
}

func (s *Service) sagaStep(ctx context.Context, bookingID string, to Status, reason string) error {
	_, err := s.finish(ctx, bookingID, to, reason, "", nil)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil // not a booking of this service: nothing to do
	}
	return err
}

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
