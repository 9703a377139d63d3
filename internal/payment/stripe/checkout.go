package stripe

import (
	"context"
	"errors"
	"fmt"
	"strings"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/slotwise/slotwise/internal/payment"
)

var (
	_ payment.HostedCheckout = (*Provider)(nil)
	_ payment.Closer         = (*Provider)(nil)
)

// CreateCheckout opens a Checkout Session in payment mode for p: one line
// of p's amount, the payment's id as client_reference_id and in the
// metadata of the session and of the PaymentIntent Checkout makes, so
// that the webhooks of either find the payment.
func (pr *Provider) CreateCheckout(ctx context.Context, p payment.Payment, page payment.CheckoutPage, idempotencyKey string) (payment.CheckoutSession, error) {
	name := page.Description
	if name == "" {
		name = "Booking"
	}
	params := &stripego.CheckoutSessionCreateParams{
		Mode:              stripego.String(string(stripego.CheckoutSessionModePayment)),
		SuccessURL:        stripego.String(page.SuccessURL),
		CancelURL:         stripego.String(page.CancelURL),
		ClientReferenceID: stripego.String(p.ID),
		LineItems: []*stripego.CheckoutSessionCreateLineItemParams{{
			Quantity: stripego.Int64(1),
			PriceData: &stripego.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripego.String(strings.ToLower(p.Currency)),
				UnitAmount:  stripego.Int64(p.Amount),
				ProductData: &stripego.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripego.String(name)},
			},
		}},
		PaymentIntentData: &stripego.CheckoutSessionCreatePaymentIntentDataParams{
			Metadata: map[string]string{"payment_id": p.ID, "booking_id": p.BookingID},
		},
	}
	if page.Email != "" {
		params.CustomerEmail = stripego.String(page.Email)
	}
	params.AddMetadata("payment_id", p.ID)
	params.AddMetadata("booking_id", p.BookingID)
	params.SetIdempotencyKey(idempotencyKey)
	cs, err := pr.client.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return payment.CheckoutSession{}, fmt.Errorf("stripe: create checkout session: %w", err)
	}
	if cs.URL == "" {
		return payment.CheckoutSession{}, fmt.Errorf("stripe: checkout session %s without a url", cs.ID)
	}
	return payment.CheckoutSession{Ref: cs.ID, URL: cs.URL}, nil
}

// ExpireCheckout expires the Checkout Session ref (Stripe refuses one that
// is complete or expired already).
func (pr *Provider) ExpireCheckout(ctx context.Context, ref string) error {
	if _, err := pr.client.V1CheckoutSessions.Expire(ctx, ref, &stripego.CheckoutSessionExpireParams{}); err != nil {
		return fmt.Errorf("stripe: expire checkout session %s: %w", ref, err)
	}
	return nil
}

// Close stops p from being taken: its Checkout Session, if any, expired
// and its PaymentIntent canceled. Both are attempted; the errors are
// joined.
func (pr *Provider) Close(ctx context.Context, p payment.Payment) error {
	var errs []error
	if p.CheckoutRef != "" {
		errs = append(errs, pr.ExpireCheckout(ctx, p.CheckoutRef))
	}
	if strings.HasPrefix(p.ProviderRef, "pi_") {
		params := &stripego.PaymentIntentCancelParams{CancellationReason: stripego.String(string(stripego.PaymentIntentCancellationReasonAbandoned))}
		if _, err := pr.client.V1PaymentIntents.Cancel(ctx, p.ProviderRef, params); err != nil {
			errs = append(errs, fmt.Errorf("stripe: cancel payment intent %s: %w", p.ProviderRef, err))
		}
	}
	return errors.Join(errs...)
}
