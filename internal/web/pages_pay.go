package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/scheduling"
)

// The manage page's payment: a card form (the sandbox) or a button to the
// provider's hosted page (Stripe Checkout), the last decline in words, the
// wait for the confirmation, and what became of a closed payment.

// payView is the payment part of the manage page.
type payView struct {
	Amount   string
	Deadline string
	// Preparing: the payment service has not opened the payment yet.
	Preparing bool
	// Confirming: paid (or back from the provider's page), the booking
	// not yet confirmed; BackURL leads to the booking without that claim.
	Confirming bool
	BackURL    string
	// Declined is the last attempt's failure, in words.
	Declined string
	// Form pays: with a card number (the sandbox: Card, CardError,
	// TestCards) or on the provider's page (Hosted; Target "_top" inside
	// a frame, which the provider's page refuses to be shown in).
	Form      *form
	Card      string
	CardError string
	TestCards bool
	Hosted    bool
	Target    string
	// Problem says the provider's page could not be opened.
	Problem string
	// Outcome states a closed payment: paid, refunded, or released unpaid.
	Outcome string
	// AgainURL offers a new booking after the time was released.
	AgainURL string
}

// paidBanner greets a client back from paying once the booking is
// confirmed (the paid=1 query value, on the provider's success URL and
// after a sandbox payment).
const paidBanner = "Thank you — your payment was received."

// checkoutOrigins are the origins of the providers' hosted payment pages,
// which the manage page's pay form redirects to.
var checkoutOrigins = map[string]string{"stripe": "https://checkout.stripe.com"}

// payView reads the booking's payment and decides what to offer.
func (s *Site) payView(r *http.Request, m managed) (*payView, error) {
	b := m.b
	pv := &payView{Amount: price(b.TotalMinor, b.Currency)}
	if !b.HoldUntil.IsZero() {
		h := b.HoldUntil.In(m.zone)
		pv.Deadline = fmt.Sprintf("%s on %s", clock(h), h.Format(dayLayout))
	}
	p, err := s.deps.Payments.PaymentOfBooking(r.Context(), payment.Caller{Token: m.token}, m.id)
	switch {
	case apperr.CodeOf(err) == apperr.NotFound:
		pv.Preparing = b.Status == scheduling.StatusPending
		return pv, nil
	case err != nil:
		return nil, err
	}
	if b.Status != scheduling.StatusPending {
		payOutcome(pv, b, p, m)
		return pv, nil
	}
	switch {
	case p.Paid():
		pv.Confirming = true
	case !p.Payable():
		// Canceled while the booking still shows pending: the booking's
		// end is on its way; nothing to pay.
	case r.URL.Query().Get("paid") == "1":
		// Back from the provider's page before its webhook: the payment
		// is being confirmed.
		pv.Confirming, pv.BackURL = true, m.path("")
	default:
		pv.Declined = payment.FailureMessage(p.FailureReason)
		f := s.newForm(managePath(m.token) + "/pay")
		pv.Form = &f
		pv.TestCards = s.deps.Payments.ProviderName() == "sandbox"
		pv.Hosted = !pv.TestCards
		if pv.Hosted && framedReq(r) {
			pv.Target = "_top"
		}
	}
	return pv, nil
}

// payOutcome states the payment of a booking that no longer waits for
// one: paid (and refunded), or released unpaid.
func payOutcome(pv *payView, b scheduling.Booking, p payment.Payment, m managed) {
	paid := amount(p.Amount, p.Currency)
	switch {
	case p.Status == payment.StatusRefunded:
		pv.Outcome = fmt.Sprintf("You paid %s; it was refunded in full.", paid)
	case p.Status == payment.StatusPartiallyRefunded:
		pv.Outcome = fmt.Sprintf("You paid %s; %s of it was refunded.", paid, amount(p.Refunded, p.Currency))
	case p.Paid():
		pv.Outcome = fmt.Sprintf("Paid %s.", paid)
	case b.Status == scheduling.StatusExpired:
		pv.Outcome = "The time to pay ran out, so this time was released. Nothing was charged."
		if m.pv.Business.Subdomain != "" {
			pv.AgainURL = businessPath(m.pv.Business.Subdomain)
		}
	default:
		pv.Outcome = "Nothing was charged."
	}
}

// payStep is the payment link of the e-mails (GET /m/{token}/pay): the
// manage page, at its payment section.
func (s *Site) payStep(w http.ResponseWriter, r *http.Request) {
	m, err := s.load(r.Context(), r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	to := managePath(m.token)
	if tz := r.URL.Query().Get("tz"); tz != "" {
		to = withQuery(to, "tz", tz)
	}
	s.redirect(w, r, to+"#pay")
}

func (s *Site) pay(w http.ResponseWriter, r *http.Request) {
	if !s.checkForm(w, r) {
		return
	}
	m, err := s.load(r.Context(), r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.deps.Payments.ProviderName() != "sandbox" {
		s.checkout(w, r, m)
		return
	}
	p, err := s.deps.Payments.PaymentOfBooking(r.Context(), payment.Caller{Token: m.token}, m.id)
	if apperr.CodeOf(err) == apperr.NotFound {
		s.redirect(w, r, m.path(""))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	card := r.PostFormValue("card")
	paid, err := s.deps.Payments.PaySandbox(r.Context(), p.ID, card)
	var ae *apperr.Error
	switch {
	case errors.As(err, &ae) && ae.Field == "cardNumber":
		s.cardRefused(w, r, m, card, ae)
	case errors.As(err, &ae) && ae.Code == apperr.Conflict:
		s.redirect(w, r, m.path("")) // paid or closed meanwhile: the page says which
	case err != nil:
		s.fail(w, r, err)
	case paid.Status == payment.StatusSucceeded:
		s.redirect(w, r, m.path("", "paid", "1"))
	default:
		s.redirect(w, r, m.path("")) // declined: the page says why, with the form again
	}
}

// checkout sends the client to the provider's payment page, which sends
// them back to the manage page: with paid=1 after paying.
func (s *Site) checkout(w http.ResponseWriter, r *http.Request, m managed) {
	back := s.baseURL(r) + managePath(m.token)
	d := s.details(m.b, m.pv, m.zone)
	desc := d.Service + ", " + d.When
	if d.Business != "" {
		desc = d.Service + " at " + d.Business + ", " + d.When
	}
	to, err := s.deps.Payments.StartCheckout(r.Context(), payment.Caller{Token: m.token}, m.id, payment.CheckoutPage{
		SuccessURL:  withQuery(back, "paid", "1", "tz", m.zone.String()),
		CancelURL:   withQuery(back, "tz", m.zone.String()),
		Description: desc, Email: m.b.ClientEmail,
	})
	switch code := apperr.CodeOf(err); {
	case err == nil:
		s.redirect(w, r, to) // an absolute URL: the same inside a frame (the form targets the top window)
	case code == apperr.NotFound || code == apperr.Conflict:
		s.redirect(w, r, m.path("")) // not set up yet, or paid or closed: the page says which
	default:
		s.deps.Logger.ErrorContext(r.Context(), "web: open the payment page", "booking", m.id, "error", err)
		s.payProblem(w, r, m)
	}
}

// payProblem shows the manage page again, saying that the provider's
// payment page could not be opened.
func (s *Site) payProblem(w http.ResponseWriter, r *http.Request, m managed) {
	v, err := s.manageView(r, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Payment != nil {
		v.Payment.Problem = "We couldn't open the payment page just now. Nothing was charged. Please try again in a moment."
	}
	s.renderManage(w, r, http.StatusServiceUnavailable, v)
}

// cardRefused shows the manage page again with the card's error.
func (s *Site) cardRefused(w http.ResponseWriter, r *http.Request, m managed, card string, ae *apperr.Error) {
	v, err := s.manageView(r, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Payment != nil {
		v.Payment.Card = card
		v.Payment.CardError = "Please enter a card number of 12 to 19 digits."
		if ae.Code == apperr.Unprocessable {
			v.Payment.CardError = "This is a test payment: please use one of the test cards listed below."
		}
	}
	s.renderManage(w, r, apperr.Status(ae.Code), v)
}
