package payment

import (
	"context"
	"errors"
	"fmt"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
)

// ApplyOutcome is the one path a provider's word takes into the saga (the
// sandbox's pay call and every verified webhook): it moves the payment's
// state machine and records payment.succeeded, payment.failed or
// payment.refunded — once, however often the outcome arrives. A success
// for a booking already cancelled or expired is refunded at once
// (compensation).
func (s *Service) ApplyOutcome(ctx context.Context, o Outcome) error {
	return s.store.Atomically(ctx, func(ctx context.Context) error {
		p, err := s.lockOutcome(ctx, o)
		if err != nil {
			return err
		}
		switch o.Kind {
		case OutcomeSucceeded:
			return s.applySucceeded(ctx, &p, o)
		case OutcomeFailed:
			if !p.Fail(o.FailureReason, s.now()) {
				return nil
			}
			if err := s.store.SavePayment(ctx, p); err != nil {
				return err
			}
			return s.record(ctx, p, event.TypePaymentFailed, failed(p))
		case OutcomeRefunded:
			if more := o.RefundedTotal - p.Refunded; more > 0 && p.Refundable() > 0 {
				return s.saveRefund(ctx, &p, min(more, p.Refundable()), o.RefundRef, "provider")
			}
			return nil // a refund we made ourselves, reported back
		}
		return fmt.Errorf("payment outcome: unknown kind %q", o.Kind)
	})
}

func (s *Service) lockOutcome(ctx context.Context, o Outcome) (Payment, error) {
	if o.PaymentID != "" {
		return s.store.LockPayment(ctx, o.PaymentID)
	}
	return s.store.LockPaymentByRef(ctx, s.provider.Name(), o.ProviderRef)
}

func (s *Service) applySucceeded(ctx context.Context, p *Payment, o Outcome) error {
	method := o.Method
	if method == "" {
		method = "card"
	}
	if !p.Succeed(method, s.now()) {
		return nil
	}
	if err := s.store.SavePayment(ctx, *p); err != nil {
		return err
	}
	if err := s.record(ctx, *p, event.TypePaymentSucceeded, succeeded(*p)); err != nil {
		return err
	}
	bk, err := s.store.Booking(ctx, p.BookingID)
	if err != nil {
		return fmt.Errorf("booking of %s: %w", p.ID, err)
	}
	if bk.State == BookingOpen {
		return nil
	}
	// Paid after the booking was closed: give the money back in full.
	return s.refund(ctx, p, p.Refundable(), "paid_after_booking_"+string(bk.State))
}

// PaySandbox pays a sandbox payment with a test card: the card decides the
// outcome, which takes the same path as a webhook's (ApplyOutcome). It
// returns the payment afterwards; a decline is a failed payment, not an
// error.
func (s *Service) PaySandbox(ctx context.Context, paymentID, cardNumber string) (Payment, error) {
	if s.provider.Name() != "sandbox" {
		return Payment{}, apperr.New(apperr.NotFound, "the sandbox provider is not in use")
	}
	kind, reason, err := SandboxCharge(cardNumber)
	if err != nil {
		return Payment{}, err
	}
	p, err := s.store.Payment(ctx, paymentID)
	if err != nil {
		return Payment{}, notFound(err, "no payment %q", paymentID)
	}
	if p.Status != StatusRequiresPayment {
		return p, apperr.New(apperr.Conflict, "payment %s is %s", p.ID, p.Status).WithReason("payment_not_payable")
	}
	o := Outcome{Kind: kind, PaymentID: p.ID, ProviderRef: p.ProviderRef, Method: "card", FailureReason: reason}
	if err := s.ApplyOutcome(ctx, o); err != nil {
		return Payment{}, err
	}
	return s.store.Payment(ctx, paymentID)
}

// HandleWebhook verifies a provider's webhook delivery and applies its
// outcome once: the provider's event id is stored with the effect, so a
// second delivery of an event already processed (a provider retry after a
// lost answer) is acknowledged and changes nothing — answering it with an
// error would only make the provider retry it for days. A replay outside
// the signature's time tolerance, or a delivery that is not authentic or
// not well-formed, is refused (Invalid, reason bad_webhook). provider names the
// provider the delivery is addressed to; another than the one in use is
// not found.
func (s *Service) HandleWebhook(ctx context.Context, provider string, payload []byte, signature string) error {
	if provider != s.provider.Name() {
		return apperr.New(apperr.NotFound, "provider %s is not in use", provider)
	}
	n, err := s.provider.ParseWebhook(payload, signature)
	if errors.Is(err, ErrNoWebhooks) {
		return apperr.New(apperr.NotFound, "provider %s has no webhooks", s.provider.Name())
	}
	if err != nil {
		return apperr.New(apperr.Invalid, "webhook rejected: %v", err).WithReason("bad_webhook")
	}
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.MarkWebhookEvent(ctx, s.provider.Name(), n.EventID, s.now()); err != nil {
			return err
		}
		if !n.Relevant {
			return nil
		}
		err := s.ApplyOutcome(ctx, n.Outcome)
		if errors.Is(err, ErrNotFound) {
			s.log.Warn("webhook for an unknown payment ignored", "event", n.EventID, "ref", n.Outcome.ProviderRef)
			return nil
		}
		return err
	})
	if errors.Is(err, ErrDuplicate) {
		s.log.Info("webhook event delivered again; already applied", "event", n.EventID)
		return nil
	}
	return err
}
