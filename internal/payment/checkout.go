package payment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"

	"github.com/slotwise/slotwise/internal/apperr"
)

// StartCheckout opens the provider's hosted payment page (Stripe Checkout)
// for a booking's payment and returns the URL to send the client to; the
// provider sends the client back to page.SuccessURL or page.CancelURL, and
// its outcome arrives by webhook (ApplyOutcome). The caller must be one who
// may see the booking (see PaymentOfBooking). Each call opens a new page
// and closes the one opened before, so only one can take the money.
//
// Errors: NotFound when the provider has no hosted checkout (the sandbox:
// pay with PaySandbox) or the booking's payment is not there for the
// caller; Invalid (field successUrl or cancelUrl) for a URL that is not
// absolute http(s); Conflict with reason payment_not_payable, its message
// in words, when the payment is paid or its booking is over.
func (s *Service) StartCheckout(ctx context.Context, c Caller, bookingID string, page CheckoutPage) (string, error) {
	hc, ok := s.provider.(HostedCheckout)
	if !ok {
		return "", apperr.New(apperr.NotFound, "the %s provider has no hosted checkout", s.provider.Name())
	}
	if err := checkReturnURL("successUrl", page.SuccessURL); err != nil {
		return "", err
	}
	if err := checkReturnURL("cancelUrl", page.CancelURL); err != nil {
		return "", err
	}
	seen, err := s.PaymentOfBooking(ctx, c, bookingID)
	if err != nil {
		return "", err
	}
	var to string
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		p, err := s.store.LockPayment(ctx, seen.ID)
		if err != nil {
			return err
		}
		if !p.Payable() {
			return s.notPayable(ctx, p)
		}
		sess, err := hc.CreateCheckout(ctx, p, page, checkoutKey(p, page))
		if err != nil {
			return err
		}
		if p.CheckoutRef != "" && p.CheckoutRef != sess.Ref {
			if err := hc.ExpireCheckout(ctx, p.CheckoutRef); err != nil {
				s.log.Warn("the previous checkout page was not closed", "payment", p.ID, "checkout", p.CheckoutRef, "err", err)
			}
		}
		p.CheckoutRef, p.UpdatedAt, to = sess.Ref, s.now(), sess.URL
		return s.store.SavePayment(ctx, p)
	})
	return to, err
}

// checkoutKey is the idempotency key of a checkout page: one per payment,
// page opened before and request, so a retry after a lost answer (or a
// rolled-back save) gets the same page and a later call a new one.
func checkoutKey(p Payment, page CheckoutPage) string {
	sum := sha256.Sum256([]byte(p.CheckoutRef + "\x00" + page.SuccessURL + "\x00" + page.CancelURL + "\x00" + page.Description + "\x00" + page.Email))
	return "slotwise-checkout-" + p.ID + "-" + hex.EncodeToString(sum[:12])
}

func checkReturnURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return apperr.Field(apperr.Invalid, field, "%s must be an absolute http(s) URL, got %q", field, raw)
	}
	return nil
}
