package payment

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/money"
)

// ErrBadBooking is a booking.created whose amount or currency cannot be
// paid (a permanent error: redelivering it will not help).
var ErrBadBooking = errors.New("booking cannot be paid")

// ApplyBookingCreated keeps the booking projection and, for a booking that
// requires payment, opens its payment: a payment row (one per booking: a
// redelivery finds it) and a provider intent with a key derived from the
// booking. A zero amount succeeds at once.
func (s *Service) ApplyBookingCreated(ctx context.Context, bc event.BookingCreated) error {
	return s.store.Atomically(ctx, func(ctx context.Context) error {
		bk, err := s.projectBooking(ctx, bc)
		if err != nil || !bc.RequiresPayment || bk.State != BookingOpen {
			return err
		}
		if _, err := s.store.PaymentByBooking(ctx, bc.BookingID); !errors.Is(err, ErrNotFound) {
			return err // nil: the payment exists already
		}
		p, err := s.newPayment(ctx, bc)
		if err != nil {
			return err
		}
		if p.Amount == 0 {
			return s.openFreePayment(ctx, p)
		}
		intent, err := s.provider.CreateIntent(ctx, p, IntentKey(p.BookingID))
		if err != nil {
			return fmt.Errorf("create intent for booking %s: %w", p.BookingID, err)
		}
		p.ProviderRef, p.ClientSecret, p.PayURL = intent.Ref, intent.ClientSecret, intent.PayURL
		return s.store.CreatePayment(ctx, p)
	})
}

// projectBooking merges booking.created into the projection (a booking
// already closed by an earlier-delivered cancel stays closed).
func (s *Service) projectBooking(ctx context.Context, bc event.BookingCreated) (Booking, error) {
	bk, err := s.store.LockBooking(ctx, bc.BookingID)
	if errors.Is(err, ErrNotFound) {
		bk, err = Booking{ID: bc.BookingID, State: BookingOpen}, nil
	}
	if err != nil {
		return bk, err
	}
	bk.BusinessID, bk.ClientID, bk.StartTime = bc.BusinessID, bc.ClientID, bc.StartTime.UTC()
	bk.ManageTokenHash, bk.UpdatedAt = bc.ManageTokenHash, s.now()
	return bk, s.store.PutBooking(ctx, bk)
}

func (s *Service) newPayment(ctx context.Context, bc event.BookingCreated) (Payment, error) {
	cur := bc.Currency
	if cur == "" {
		cur = s.currency
	}
	amount, err := money.FromFloat(bc.TotalAmount, cur)
	if err != nil {
		return Payment{}, fmt.Errorf("%w: booking %s: %w", ErrBadBooking, bc.BookingID, err)
	}
	now := s.now()
	return Payment{
		ID: NewPaymentID(), BookingID: bc.BookingID, BusinessID: bc.BusinessID, ClientID: bc.ClientID,
		Amount: amount, Currency: cur, Provider: s.provider.Name(), Status: StatusRequiresPayment,
		CorrelationID: event.CorrelationID(ctx), CreatedAt: now, UpdatedAt: now,
	}, nil
}

func (s *Service) openFreePayment(ctx context.Context, p Payment) error {
	p.ProviderRef = "free_" + p.ID
	p.Succeed("none", s.now())
	if err := s.store.CreatePayment(ctx, p); err != nil {
		return err
	}
	return s.record(ctx, p, event.TypePaymentSucceeded, succeeded(p))
}

// Closure is a booking's cancellation or expiry.
type Closure struct {
	BookingID, BusinessID, ClientID string
	StartTime                       time.Time
	State                           BookingState // BookingCancelled or BookingExpired
	At                              time.Time    // the event's timestamp
	Reason                          string
}

// ApplyBookingClosed closes the booking in the projection and settles its
// payment: one still waiting for payment is canceled (no refund; further
// attempts are refused, and the provider is asked to stop taking it — if
// it succeeds all the same, ApplyOutcome refunds it); one that succeeded
// is refunded per the policy for a cancellation, in full for an expiry
// (the hold ran out although the payment went through). A redelivered
// closure finds the booking closed and changes nothing.
func (s *Service) ApplyBookingClosed(ctx context.Context, c Closure) error {
	return s.store.Atomically(ctx, func(ctx context.Context) error {
		bk, err := s.store.LockBooking(ctx, c.BookingID)
		if errors.Is(err, ErrNotFound) {
			bk, err = Booking{ID: c.BookingID, BusinessID: c.BusinessID, ClientID: c.ClientID, StartTime: c.StartTime.UTC()}, nil
		}
		if err != nil || bk.State == BookingCancelled || bk.State == BookingExpired {
			return err
		}
		bk.State, bk.ClosedAt, bk.UpdatedAt = c.State, c.At.UTC(), s.now()
		if err := s.store.PutBooking(ctx, bk); err != nil {
			return err
		}
		// Lock the payment only after the booking row is written: an
		// outcome that locked it first reads the booking after, so one of
		// the two always sees the other.
		p, err := s.store.PaymentByBooking(ctx, c.BookingID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if p, err = s.store.LockPayment(ctx, p.ID); err != nil {
			return err
		}
		if p.Payable() {
			return s.cancelPayment(ctx, &p)
		}
		return s.refundClosed(ctx, &p, bk)
	})
}

// cancelPayment cancels p, unpaid, and asks the provider to stop taking
// it. The provider's refusal is logged, not returned: the closure must not
// wait on it, and a payment taken all the same is refunded when its
// success arrives.
func (s *Service) cancelPayment(ctx context.Context, p *Payment) error {
	p.Cancel(s.now())
	if err := s.store.SavePayment(ctx, *p); err != nil {
		return err
	}
	if c, ok := s.provider.(Closer); ok {
		if err := c.Close(ctx, *p); err != nil {
			s.log.Warn("the provider did not close the canceled payment", "payment", p.ID, "err", err)
		}
	}
	return nil
}

// refundClosed refunds a paid payment of a closed booking, never more
// than is left after earlier refunds.
func (s *Service) refundClosed(ctx context.Context, p *Payment, bk Booking) error {
	amount, reason := min(p.Amount, p.Refundable()), "booking_expired"
	if bk.State == BookingCancelled {
		amount, reason = s.cancellationRefund(*p, bk.StartTime, bk.ClosedAt), "booking_cancelled"
	}
	if amount == 0 {
		return nil
	}
	return s.refund(ctx, p, amount, reason)
}

// cancellationRefund is what cancelling at at the booking starting at
// start refunds of p: the policy's share, never more than is left after
// earlier refunds (nothing of an unpaid payment). The saga refunds it when
// booking.cancelled arrives; CancellationRefund states it beforehand.
func (s *Service) cancellationRefund(p Payment, start, at time.Time) int64 {
	return min(s.policy.ForCancellation(p.Amount, start, at), p.Refundable())
}

// refund refunds amount of p at the provider (idempotently: the key is
// fixed by what was refunded before), saves p and records payment.refunded.
func (s *Service) refund(ctx context.Context, p *Payment, amount int64, reason string) error {
	key := "slotwise-refund-" + p.ID + "-" + strconv.FormatInt(p.Refunded, 10)
	ref, err := s.provider.Refund(ctx, *p, amount, key)
	if err != nil {
		return fmt.Errorf("refund %s: %w", p.ID, err)
	}
	return s.saveRefund(ctx, p, amount, ref, reason)
}

func (s *Service) saveRefund(ctx context.Context, p *Payment, amount int64, ref, reason string) error {
	now := s.now()
	if err := p.Refund(amount, now); err != nil {
		return err
	}
	if err := s.store.SavePayment(ctx, *p); err != nil {
		return err
	}
	r := Refund{ID: NewRefundID(), PaymentID: p.ID, ProviderRef: ref, Amount: amount, Currency: p.Currency, Reason: reason, CreatedAt: now}
	if err := s.store.CreateRefund(ctx, r); err != nil {
		return err
	}
	return s.record(ctx, *p, event.TypePaymentRefunded, event.PaymentRefunded{
		PaymentID: p.ID, RefundID: r.ID, BookingID: p.BookingID, BusinessID: p.BusinessID, ClientID: p.ClientID,
		Amount: money.Float(amount, p.Currency), Currency: p.Currency, Reason: reason,
	})
}

func succeeded(p Payment) event.PaymentSucceeded {
	return event.PaymentSucceeded{
		PaymentID: p.ID, PaymentIntentID: p.ProviderRef, BookingID: p.BookingID, BusinessID: p.BusinessID,
		ClientID: p.ClientID, Amount: money.Float(p.Amount, p.Currency), Currency: p.Currency, Method: p.Method,
	}
}

func failed(p Payment) event.PaymentFailed {
	return event.PaymentFailed{
		PaymentID: p.ID, PaymentIntentID: p.ProviderRef, BookingID: p.BookingID, BusinessID: p.BusinessID,
		ClientID: p.ClientID, Amount: money.Float(p.Amount, p.Currency), Currency: p.Currency, FailureReason: p.FailureReason,
		FailureMessage: FailureMessage(p.FailureReason),
	}
}
