package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/scheduling"
)

// detailsView is a booking as a client reads it: what, when (in their
// zone and the business's), where, price, status. No internal ids.
type detailsView struct {
	Service      string
	Staff        string
	Business     string
	BusinessURL  string
	When         string
	Zone         string
	ZoneName     string // the IANA name of the client's zone
	BusinessWhen string
	BusinessZone string
	Duration     string
	Price        string
	Status       string
	StatusClass  string
	Address      []string // the business's postal address, by line
	ClientName   string
	ClientEmail  string
}

// statusWords name a booking's status for people.
var statusWords = map[scheduling.Status]string{
	scheduling.StatusPending:   "Awaiting payment",
	scheduling.StatusConfirmed: "Confirmed",
	scheduling.StatusCancelled: "Cancelled",
	scheduling.StatusExpired:   "Released — not paid in time",
}

// details describes b with its business's public view (which may be
// empty when it could not be read) in the client's zone.
func (s *Site) details(b scheduling.Booking, pv business.PublicView, zone *time.Location) detailsView {
	v := detailsView{
		Service: "Your appointment", Business: pv.Business.Name,
		Duration: duration(int(b.End.Sub(b.Start) / time.Minute)),
		Price:    price(b.TotalMinor, b.Currency), Status: statusWords[b.Status], StatusClass: string(b.Status),
		When: span(b.Start.In(zone), b.End.In(zone)), Zone: zoneLabel(zone, b.Start), ZoneName: zone.String(),
		ClientName: b.ClientName, ClientEmail: b.ClientEmail,
	}
	for _, o := range pv.Offerings {
		if o.ID == b.ServiceID {
			v.Service = o.Name
		}
	}
	v.Staff = staffName(pv, b.StaffID)
	v.Address = addressLines(pv.Business.Address)
	if pv.Business.Subdomain != "" {
		v.BusinessURL = businessPath(pv.Business.Subdomain)
	}
	if biz, ok := loadZone(pv.Business.TimeZone); ok && biz.String() != zone.String() {
		v.BusinessWhen, v.BusinessZone = span(b.Start.In(biz), b.End.In(biz)), zoneLabel(biz, b.Start)
	}
	return v
}

// manageView is the manage page.
type manageView struct {
	Details       detailsView
	Banner        string
	BannerClass   string
	Payment       *payView
	Active        bool // may still be cancelled or moved
	Confirmed     bool // confirmed and ahead: worth adding to a calendar
	ICSURL        string
	GoogleURL     string
	CancelURL     string
	RescheduleURL string
	PageURL       string
}

// payView is the payment part of the manage page.
type payView struct {
	Amount      string
	Deadline    string
	Preparing   bool
	Confirming  bool
	Declined    string
	Form        *form
	Card        string
	CardError   string
	TestCards   bool
	Unsupported bool
}

// declineWords say why a card was declined.
var declineWords = map[string]string{
	payment.ReasonCardDeclined:      "Your card was declined.",
	payment.ReasonInsufficientFunds: "Insufficient funds.",
}

func declined(reason string) string {
	if w, ok := declineWords[reason]; ok {
		return w
	}
	return "The payment did not go through."
}

// bannerWords are the messages after an action (the done= query value).
var bannerWords = map[string]string{
	"booked":    "You're booked. We've sent the details to your e-mail.",
	"paid":      "Thank you — your payment was received.",
	"cancelled": "Your booking is cancelled.",
	"moved":     "Your booking has been moved.",
}

// managed is a booking read with its manage token, and what the pages
// show with it.
type managed struct {
	id, token string
	b         scheduling.Booking
	pv        business.PublicView
	zone      *time.Location
}

// load reads the booking of a manage URL; an unknown token is 404.
func (s *Site) load(ctx context.Context, r *http.Request) (managed, error) {
	m := managed{token: r.PathValue("token")}
	b, err := s.deps.Scheduler.BookingByToken(ctx, m.token)
	if err != nil {
		return m, err
	}
	m.id, m.b = b.ID, b
	m.pv, err = s.businessOf(ctx, b.BusinessID)
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		s.deps.Logger.WarnContext(ctx, "web: read booking's business", "business", b.BusinessID, "error", err)
	}
	m.zone, _ = loadZone(m.pv.Business.TimeZone)
	if z, ok := loadZone(r.URL.Query().Get("tz")); ok {
		m.zone = z
	}
	if m.zone == nil {
		m.zone = time.UTC
	}
	return m, nil
}

// path is the manage page's path with the client's zone kept.
func (m managed) path(suffix string, kv ...string) string {
	return withQuery(managePath(m.token)+suffix, append([]string{"tz", m.zone.String()}, kv...)...)
}

func (s *Site) managePage(w http.ResponseWriter, r *http.Request) {
	m, err := s.load(r.Context(), r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, refresh, err := s.manageView(r, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "manage", view{Title: "Your booking — " + v.Details.Service, Main: v, Refresh: refresh})
}

// manageView builds the manage page; refresh > 0 when it waits for an
// asynchronous step (the payment being set up or confirmed).
func (s *Site) manageView(r *http.Request, m managed) (manageView, int, error) {
	b := m.b
	v := manageView{
		Details: s.details(b, m.pv, m.zone),
		Active:  b.Status.Blocks() && b.Start.After(s.deps.Now()),
		ICSURL:  managePath(m.token) + "/booking.ics", PageURL: m.path(""),
		CancelURL: m.path("/cancel"), RescheduleURL: m.path("/reschedule"),
	}
	v.Confirmed = v.Active && b.Status == scheduling.StatusConfirmed
	v.GoogleURL = googleCalendarURL(b, v.Details, s.baseURL(r)+managePath(m.token))
	if w, ok := bannerWords[r.URL.Query().Get("done")]; ok {
		v.Banner, v.BannerClass = w, "success"
		if b.Status == scheduling.StatusPending {
			v.Banner = "Almost done: pay below to confirm your booking."
		}
	}
	if b.Status == scheduling.StatusCancelled && b.CancelReason == scheduling.ReasonPaymentFailed {
		v.Banner, v.BannerClass = "The payment did not go through, so this time was released. You're welcome to book again.", "warning"
	}
	if !b.RequiresPayment {
		return v, 0, nil
	}
	pay, err := s.payView(r.Context(), m)
	if err != nil {
		return v, 0, err
	}
	v.Payment = pay
	refresh := 0
	if pay.Preparing || pay.Confirming {
		refresh = 3
	}
	return v, refresh, nil
}

// payView reads the booking's payment and decides what to offer.
func (s *Site) payView(ctx context.Context, m managed) (*payView, error) {
	b := m.b
	pv := &payView{Amount: price(b.TotalMinor, b.Currency)}
	if !b.HoldUntil.IsZero() {
		h := b.HoldUntil.In(m.zone)
		pv.Deadline = fmt.Sprintf("%s on %s", clock(h), h.Format(dayLayout))
	}
	p, err := s.deps.Payments.PaymentOfBooking(ctx, payment.Caller{Token: m.token}, m.id)
	switch {
	case apperr.CodeOf(err) == apperr.NotFound:
		pv.Preparing = b.Status == scheduling.StatusPending
		return pv, nil
	case err != nil:
		return nil, err
	}
	if p.FailureReason != "" {
		pv.Declined = declined(p.FailureReason)
	}
	switch {
	case b.Status != scheduling.StatusPending:
	case p.Status == payment.StatusSucceeded:
		pv.Confirming = true
	case p.Status == payment.StatusRequiresPayment && s.deps.Payments.ProviderName() == "sandbox":
		f := s.newForm(managePath(m.token) + "/pay")
		pv.Form, pv.TestCards = &f, true
	case p.Status == payment.StatusRequiresPayment:
		pv.Unsupported = true
	}
	return pv, nil
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
		s.redirect(w, r, m.path("")) // paid or failed meanwhile: the page says which
	case err != nil:
		s.fail(w, r, err)
	case paid.Status == payment.StatusSucceeded:
		s.redirect(w, r, m.path("", "done", "paid"))
	default:
		s.redirect(w, r, m.path("")) // declined: the page says why
	}
}

// cardRefused shows the manage page again with the card's error.
func (s *Site) cardRefused(w http.ResponseWriter, r *http.Request, m managed, card string, ae *apperr.Error) {
	v, _, err := s.manageView(r, m)
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
	s.render(w, r, apperr.Status(ae.Code), "manage", view{Title: "Your booking — " + v.Details.Service, Main: v})
}
