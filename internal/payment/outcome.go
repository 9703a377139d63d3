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
// payment.refunded — once per outcome, however often it arrives (webhook
// deliveries are de-duplicated by HandleWebhook). A declined attempt
// records payment.failed and leaves the payment payable. A success for a
// booking already cancelled or expired is refunded at once
// (compensation).
func (s *Service) ApplyOutcome(ctx context.Context, o Outcome) error {
	return s.store.Atomically(ctx, func(ctx context.Context) error {
		p, err := s.lockOutcome(ctx, o)
		if err != nil {
			return err
		}
		return s.apply(ctx, &p, o)
	})
}

// apply applies o to p, locked in the transaction ctx carries.
func (s *Service) apply(ctx context.Context, p *Payment, o Outcome) error {
	switch o.Kind {
	case OutcomeSucceeded:
		return s.applySucceeded(ctx, p, o)
	case OutcomeFailed:
		if !p.Fail(o.FailureReason, s.now()) {
			return nil
		}
		if err := s.store.SavePayment(ctx, *p); err != nil {
			return err
		}
		f := failed(*p)
		if o.ProviderRef != "" {
			f.PaymentIntentID = o.ProviderRef // the attempt's intent
		}
		return s.record(ctx, *p, event.TypePaymentFailed, f)
	case OutcomeRefunded:
		if more := o.RefundedTotal - p.Refunded; more > 0 && p.Refundable() > 0 {
			return s.saveRefund(ctx, p, min(more, p.Refundable()), o.RefundRef, "provider")
		}
		return nil // a refund we made ourselves, reported back
	}
	return fmt.Errorf("payment outcome: unknown kind %q", o.Kind)
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
		return s.refundSecondCharge(ctx, *p, o)
	}
	if o.ProviderRef != "" {
		p.ProviderRef = o.ProviderRef // the intent charged (a checkout's own)
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

// refundSecondCharge gives back a success for another intent than the one
// a paid payment was charged with: the client paid twice (two checkout
// pages, or a checkout and the API's client secret). The payment itself
// is unchanged; the second charge is refunded in full at the provider.
func (s *Service) refundSecondCharge(ctx context.Context, p Payment, o Outcome) error {
	if o.ProviderRef == "" || o.ProviderRef == p.ProviderRef || !p.Paid() {
		return nil // the same success again
	}
	second := p
	second.ProviderRef = o.ProviderRef
	ref, err := s.provider.Refund(ctx, second, p.Amount, "slotwise-refund-second-"+o.ProviderRef)
	if err != nil {
		return fmt.Errorf("refund second charge %s of %s: %w", o.ProviderRef, p.ID, err)
	}
	s.log.Warn("a paid payment was charged again; the second charge is refunded",
		"payment", p.ID, "booking", p.BookingID, "intent", o.ProviderRef, "refund", ref)
	return nil
}

// PaySandbox pays a sandbox payment with a test card: the card decides the
// outcome, which takes the same path as a webhook's. It returns the
// payment afterwards: succeeded, or — a declined card, not an error —
// still requires_payment with the decline's FailureReason, open to another
// attempt. A payment that is not payable (paid, or its booking cancelled
// or expired) is a Conflict with reason payment_not_payable and a message
// in words; the payment is returned with it.
func (s *Service) PaySandbox(ctx context.Context, paymentID, cardNumber string) (Payment, error) {
	if s.provider.Name() != "sandbox" {
		return Payment{}, apperr.New(apperr.NotFound, "the sandbox provider is not in use")
	}
	kind, reason, err := SandboxCharge(cardNumber)
	if err != nil {
		return Payment{}, err
	}
	var p Payment
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		var err error
		if p, err = s.store.LockPayment(ctx, paymentID); err != nil {
			return notFound(err, "no payment %q", paymentID)
		}
		if !p.Payable() {
			return s.notPayable(ctx, p)
		}
		return s.apply(ctx, &p, Outcome{Kind: kind, PaymentID: p.ID, Method: "card", FailureReason: reason})
	})
	if err != nil && apperr.CodeOf(err) != apperr.Conflict {
		return Payment{}, err
	}
	return p, err
}

// notPayable is the Conflict of an attempt to pay p, which is not
// payable, in words a client can read.
func (s *Service) notPayable(ctx context.Context, p Payment) error {
	msg := "This booking is no longer awaiting payment."
	switch {
	case p.Paid():
		msg = "This booking is already paid."
	case p.Status == StatusCanceled:
		bk, err := s.store.Booking(ctx, p.BookingID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		switch bk.State {
		case BookingExpired:
			msg += " The time to pay for it ran out."
		case BookingCancelled:
			msg += " It was cancelled."
		}
	}
	return apperr.New(apperr.Conflict, "%s", msg).WithReason("payment_not_payable")
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
