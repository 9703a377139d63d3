package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/scheduling"
)

// cancelView is the cancellation's confirmation step.
type cancelView struct {
	Details detailsView
	Refund  string // what cancelling now refunds, in words
	Policy  string // the refund policy, in words
	Form    form
	BackURL string
	Active  bool
}

func (s *Site) cancelForm(w http.ResponseWriter, r *http.Request) {
	m, err := s.load(r.Context(), r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := cancelView{
		Details: s.details(m.b, m.pv, m.zone), Form: s.newForm(managePath(m.token) + "/cancel"),
		BackURL: m.path(""), Active: m.b.Status.Blocks(),
	}
	if v.Refund, v.Policy, err = s.refundWords(r, m); err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if !v.Active {
		status = http.StatusConflict
	}
	s.render(w, r, status, "cancel", view{Title: "Cancel your booking", Main: v})
}

// refundWords state, before the client confirms, what a cancellation now
// refunds and the refund policy, both as the payment service has them.
func (s *Site) refundWords(r *http.Request, m managed) (refund, policy string, err error) {
	if !m.b.RequiresPayment {
		return "This booking is free, so there is nothing to refund.", "", nil
	}
	const unpaid = "You haven't paid for this booking, so nothing will be charged."
	q, err := s.deps.Payments.CancellationRefund(r.Context(), payment.Caller{Token: m.token}, m.id, s.deps.Now())
	switch {
	case apperr.CodeOf(err) == apperr.NotFound:
		// The payment service has not heard of the booking yet: nothing
		// can have been paid.
		return unpaid, "", nil
	case err != nil:
		return "", "", err
	case q.Paid == 0:
		return unpaid, q.Rule, nil
	case q.Amount == q.Paid:
		refund = fmt.Sprintf("If you cancel now, you get a full refund of %s.", amount(q.Amount, q.Currency))
	case !q.Refunds():
		refund = fmt.Sprintf("If you cancel now, you get no refund of the %s you paid.", amount(q.Paid, q.Currency))
	default:
		refund = fmt.Sprintf("If you cancel now, you get %s back of the %s you paid.", amount(q.Amount, q.Currency), amount(q.Paid, q.Currency))
	}
	return refund, q.Rule, nil
}

func (s *Site) cancel(w http.ResponseWriter, r *http.Request) {
	if !s.checkForm(w, r) {
		return
	}
	m, err := s.load(r.Context(), r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.deps.Scheduler.Cancel(r.Context(), scheduling.Actor{ManageToken: m.token}, m.id, ""); err != nil {
		if apperr.CodeOf(err) == apperr.Conflict {
			s.notChangeable(w, r, m)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, m.path("", "done", "cancelled"))
}

// notChangeable is the 409 page of a booking that was cancelled, expired
// or is past.
func (s *Site) notChangeable(w http.ResponseWriter, r *http.Request, m managed) {
	s.errorPage(w, r, errorView{
		Status: http.StatusConflict, Heading: "This booking can't be changed",
		Message: "It has been cancelled, has expired, or has already taken place.",
		Back:    m.path(""), BackLabel: "See the booking",
	})
}

// rescheduleView is the reschedule page: the picker, or the confirmation
// of the chosen new time.
type rescheduleView struct {
	Details detailsView
	Picker  *pickerView
	Confirm *moveConfirm
	Message string
	BackURL string
}

// moveConfirm is the confirmation step of a move.
type moveConfirm struct {
	From, To  string
	Start     string
	Form      form
	ChooseURL string
}

// moveSpec is the picker of a booking's new time: its service, its staff
// member only, and its own time not in the way (m was read with its
// manage token, so the booking is the caller's to move).
func (s *Site) moveSpec(m managed) (pickerSpec, bool) {
	i := slices.IndexFunc(m.pv.Offerings, func(o business.Offering) bool { return o.ID == m.b.ServiceID })
	if i < 0 {
		return pickerSpec{}, false
	}
	base := managePath(m.token) + "/reschedule"
	return pickerSpec{
		Base: base, PV: m.pv, Offering: m.pv.Offerings[i], FixedStaff: m.b.StaffID, IgnoreBookingID: m.id,
		SlotURL: func(start time.Time, _ string, zone *time.Location) string {
			return withQuery(base, "start", start.UTC().Format(time.RFC3339), "tz", zone.String())
		},
	}, true
}

func (s *Site) reschedulePage(w http.ResponseWriter, r *http.Request) {
	m, err := s.load(r.Context(), r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	spec, ok := s.moveSpec(m)
	if !ok || !m.b.Status.Blocks() {
		s.notChangeable(w, r, m)
		return
	}
	v := rescheduleView{Details: s.details(m.b, m.pv, m.zone), BackURL: m.path("")}
	if start, err := time.Parse(time.RFC3339, r.URL.Query().Get("start")); err == nil {
		end := start.Add(m.b.End.Sub(m.b.Start))
		v.Confirm = &moveConfirm{
			From: v.Details.When, To: span(start.In(m.zone), end.In(m.zone)), Start: start.UTC().Format(time.RFC3339),
			Form: s.newForm(managePath(m.token) + "/reschedule"), ChooseURL: m.path("/reschedule", "day", civilOf(start.In(m.zone)).String()),
		}
		s.render(w, r, http.StatusOK, "reschedule", view{Title: "Move your booking", Main: v})
		return
	}
	pk, err := s.picker(r.Context(), spec, pickerQueryOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if wantsFragment(r) {
		s.renderFragment(w, r, http.StatusOK, "reschedule", "picker", pk)
		return
	}
	v.Picker = &pk
	s.render(w, r, http.StatusOK, "reschedule", view{Title: "Move your booking", Main: v})
}

func (s *Site) reschedule(w http.ResponseWriter, r *http.Request) {
	if !s.checkForm(w, r) {
		return
	}
	m, err := s.load(r.Context(), r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	start := r.PostFormValue("start")
	_, err = s.deps.Scheduler.Reschedule(r.Context(), scheduling.Actor{ManageToken: m.token}, m.id, start)
	var ae *apperr.Error
	switch {
	case err == nil:
		s.redirect(w, r, m.path("", "done", "moved"))
	case errors.As(err, &ae) && ae.Reason == scheduling.ReasonNotModifiable:
		s.notChangeable(w, r, m)
	case errors.As(err, &ae) && (ae.Field == "startTime" || ae.Reason == scheduling.ReasonSlotTaken):
		s.moveRefused(w, r, m, start, ae)
	default:
		s.fail(w, r, err)
	}
}

// moveRefused shows the picker again, on the refused time's day, saying
// why.
func (s *Site) moveRefused(w http.ResponseWriter, r *http.Request, m managed, start string, ae *apperr.Error) {
	spec, ok := s.moveSpec(m)
	if !ok {
		s.notChangeable(w, r, m)
		return
	}
	q := pickerQuery{TZ: m.zone.String()}
	if t, err := time.Parse(time.RFC3339, start); err == nil {
		q.Day = civilOf(t.In(m.zone)).String()
	}
	pk, err := s.picker(r.Context(), spec, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := rescheduleView{Details: s.details(m.b, m.pv, m.zone), BackURL: m.path(""), Picker: &pk,
		Message: "Sorry — that time can no longer be booked. Please pick another one."}
	if ae.Reason == scheduling.ReasonSlotTaken {
		v.Message = "Sorry — someone else just booked that time. Please pick another one."
	}
	s.render(w, r, apperr.Status(ae.Code), "reschedule", view{Title: "Move your booking", Main: v})
}
