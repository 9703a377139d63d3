package web

import (
	"context"
	"net/http"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/business"
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
	Note         []string // the client's note for the business, by line
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
	v.Note = noteLines(b.Note)
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
	// Embed is set inside a business's frame: links that leave SlotWise
	// open outside it, and FullURL opens this page on its own.
	Embed   bool
	FullURL string
	// PayFirst puts the payment before the details on a narrow screen:
	// paying is what the client has to do next.
	PayFirst bool
}

// bannerWords are the messages after an action (the done= query value).
var bannerWords = map[string]string{
	"booked":    "You're booked. We've sent the details to your e-mail.",
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
	v, err := s.manageView(r, m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderManage(w, r, http.StatusOK, v)
}

// renderManage renders the manage page: it reloads itself while it waits
// for an asynchronous step (the payment being set up or the booking being
// confirmed), and its form may lead to the provider's payment page.
func (s *Site) renderManage(w http.ResponseWriter, r *http.Request, status int, v manageView) {
	vw := view{Title: "Your booking — " + v.Details.Service, Main: v}
	var p policy
	if pay := v.Payment; pay != nil {
		if pay.Preparing || pay.Confirming {
			vw.Refresh = 3
		}
		if o := checkoutOrigins[s.deps.Payments.ProviderName()]; pay.Hosted && o != "" {
			p.formTargets = []string{o}
		}
	}
	s.renderWith(w, r, status, "manage", vw, p)
}

// manageView builds the manage page.
func (s *Site) manageView(r *http.Request, m managed) (manageView, error) {
	b := m.b
	v := manageView{
		Details: s.details(b, m.pv, m.zone),
		Active:  b.Status.Blocks() && b.Start.After(s.deps.Now()),
		ICSURL:  managePath(m.token) + "/booking.ics", PageURL: m.path(""),
		CancelURL: m.path("/cancel"), RescheduleURL: m.path("/reschedule"),
		Embed: framedReq(r), FullURL: s.baseURL(r) + m.path(""),
	}
	v.Confirmed = v.Active && b.Status == scheduling.StatusConfirmed
	v.GoogleURL = googleCalendarURL(b, v.Details, s.baseURL(r)+managePath(m.token))
	q := r.URL.Query()
	if w, ok := bannerWords[q.Get("done")]; ok {
		v.Banner, v.BannerClass = w, "success"
		if b.Status == scheduling.StatusPending && q.Get("done") == "booked" {
			v.Banner = "Almost done: pay below to confirm your booking."
		}
	}
	if q.Get("paid") == "1" && b.Status == scheduling.StatusConfirmed {
		v.Banner, v.BannerClass = paidBanner, "success"
	}
	if !b.RequiresPayment {
		return v, nil
	}
	pay, err := s.payView(r, m)
	if err != nil {
		return v, err
	}
	v.Payment, v.PayFirst = pay, pay.Form != nil || pay.Confirming || pay.Preparing
	return v, nil
}
