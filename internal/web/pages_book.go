package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/scheduling/slots"
)

// bookView is the booking form: the slot restated and the guest's details.
type bookView struct {
	Business     string
	BusinessURL  string
	Service      serviceCard
	PickURL      string // back to the picker, on the slot's day
	StaffName    string
	When         string // in the client's zone
	Zone         string
	BusinessWhen string // in the business's zone, when it differs
	BusinessZone string
	Form         form
	Start        string
	Staff        string
	TZ           string
	Key          string // the Idempotency-Key of this render
	Input        guestInput
	Errors       guestErrors
	HasErrors    bool
	Message      string
	// Taken, when set, replaces the form: the slot is gone; these are the
	// day's remaining slots.
	Taken *dayView
}

// guestInput is what the guest typed, kept when the form comes back.
type guestInput struct {
	Name, Email, Phone, Note string
}

// guestErrors are the messages next to the fields.
type guestErrors struct {
	Name, Email, Phone, Note string
}

// bookTarget is a booking form's service and slot, from its URL.
type bookTarget struct {
	pv      business.PublicView
	o       business.Offering
	start   time.Time
	staffID string
	zone    *time.Location
	bizZone *time.Location
}

// target reads the service and slot of a booking form; on failure it has
// answered (404, or 400 for a malformed start) and returns false.
func (s *Site) target(w http.ResponseWriter, r *http.Request, start, staff, tz string) (bookTarget, bool) {
	sub, svc := r.PathValue("subdomain"), r.PathValue("service")
	pv, o, err := s.offering(r.Context(), sub, svc)
	if err != nil {
		s.fail(w, r, err)
		return bookTarget{}, false
	}
	t := bookTarget{pv: pv, o: o}
	if t.start, err = time.Parse(time.RFC3339, start); err != nil {
		s.badRequest(w, r, "This booking link has no valid time in it. Please pick a time on the booking page.", servicePath(sub, svc), "Pick a time")
		return bookTarget{}, false
	}
	t.bizZone, _ = loadZone(pv.Business.TimeZone)
	if t.bizZone == nil {
		t.bizZone = time.UTC
	}
	t.zone = t.bizZone
	if z, ok := loadZone(tz); ok {
		t.zone = z
	}
	if slices.ContainsFunc(performers(pv, o.ID), func(m business.Staff) bool { return m.ID == staff }) {
		t.staffID = staff
	}
	return t, true
}

// newBookView restates the slot of t.
func (s *Site) newBookView(t bookTarget) bookView {
	sub, svc := t.pv.Business.Subdomain, t.o.ID
	start, end := t.start.In(t.zone), t.start.Add(time.Duration(t.o.DurationMinutes)*time.Minute).In(t.zone)
	v := bookView{
		Business: t.pv.Business.Name, BusinessURL: businessPath(sub),
		Service: serviceCard{Name: t.o.Name, Duration: duration(t.o.DurationMinutes), Price: price(t.o.PriceMinor, t.o.Currency),
			RequiresPayment: t.o.RequiresPayment},
		PickURL:   withQuery(servicePath(sub, svc), "day", civilOf(start).String(), "tz", t.zone.String(), "staff", t.staffID),
		StaffName: staffName(t.pv, t.staffID),
		When:      span(start, end), Zone: zoneLabel(t.zone, start),
		Form:  s.newForm(bookPath(sub, svc)),
		Start: t.start.UTC().Format(time.RFC3339), Staff: t.staffID, TZ: t.zone.String(),
	}
	if t.bizZone.String() != t.zone.String() {
		v.BusinessWhen, v.BusinessZone = span(start.In(t.bizZone), end.In(t.bizZone)), zoneLabel(t.bizZone, start)
	}
	return v
}

// daySlots returns the free slots of the start's day (in the client's
// zone), as links to their booking forms.
func (s *Site) daySlots(r *http.Request, t bookTarget) (*dayView, bool, error) {
	day := civilOf(t.start.In(t.zone))
	ans, err := s.deps.Scheduler.Slots(r.Context(), scheduling.SlotQuery{
		Subdomain: t.pv.Business.Subdomain, ServiceID: t.o.ID, StaffID: t.staffID,
		From: day.String(), To: day.String(), TimeZone: t.zone.String(),
	})
	if err != nil {
		return nil, false, err
	}
	sub, svc := t.pv.Business.Subdomain, t.o.ID
	spec := pickerSpec{SlotURL: func(start time.Time, staffID string, zone *time.Location) string {
		return withQuery(bookPath(sub, svc), "start", start.UTC().Format(time.RFC3339), "staff", staffID, "tz", zone.String())
	}}
	byDay := groupSlots(ans.Slots, t.zone, t.staffID == "")
	free := slices.ContainsFunc(byDay[day], func(sl slots.Slot) bool { return sl.Start.Equal(t.start) })
	return s.dayView(spec, pickerState{zone: t.zone, staffID: t.staffID, day: day}, byDay[day]), free, nil
}

func (s *Site) bookForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t, ok := s.target(w, r, q.Get("start"), q.Get("staff"), q.Get("tz"))
	if !ok {
		return
	}
	v := s.newBookView(t)
	dv, free, err := s.daySlots(r, t)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !free {
		v.Taken, v.Message = dv, "Sorry — this time is no longer available. Here are the other free times that day."
	}
	v.Key = newIdempotencyKey()
	s.render(w, r, http.StatusOK, "book", view{Title: "Book " + t.o.Name + " — " + t.pv.Business.Name, Main: v})
}

// newIdempotencyKey returns a fresh key for one render of a booking form:
// submitting the form twice (a double click, a reload) makes one booking.
func newIdempotencyKey() string {
	var b [18]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "web_" + base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Site) book(w http.ResponseWriter, r *http.Request) {
	if !s.checkForm(w, r) {
		return
	}
	f := r.PostForm
	t, ok := s.target(w, r, f.Get("start"), f.Get("staff"), f.Get("tz"))
	if !ok {
		return
	}
	in := guestInput{Name: f.Get("name"), Email: f.Get("email"), Phone: f.Get("phone"), Note: f.Get("note")}
	key := f.Get("idempotency_key")
	if key == "" || len(key) > 100 {
		key = newIdempotencyKey()
	}
	// A signed-in client books on their account (the booking then shows
	// under My bookings); everyone else books as a guest with the form's
	// details.
	actor, r := s.currentActor(w, r)
	var guest *scheduling.Guest
	if actor.Role != scheduling.RoleClient {
		actor, guest = scheduling.Actor{}, &scheduling.Guest{Name: in.Name, Email: in.Email, Phone: in.Phone}
	}
	c, err := s.deps.Scheduler.CreateBooking(r.Context(), actor, scheduling.BookingInput{
		BusinessID: t.pv.Business.ID, ServiceID: t.o.ID, StaffID: t.staffID, StartTime: t.start.UTC().Format(time.RFC3339),
		Client:         guest,
		Note:           in.Note,
		IdempotencyKey: key,
	})
	if err != nil {
		s.bookFailed(w, r, t, in, key, err)
		return
	}
	if c.ManageToken == "" {
		// An answer replayed from the idempotency key carries no manage
		// token today: say the booking exists rather than fail.
		s.render(w, r, http.StatusOK, "booked", view{Title: "You're booked", Main: s.details(c.Booking, t.pv, t.zone)})
		return
	}
	s.redirect(w, r, withQuery(managePath(c.ManageToken), "tz", t.zone.String(), "done", "booked"))
}

// bookFailed answers a refused booking: the form again with the field's
// error, or the day's remaining slots when the slot is gone.
func (s *Site) bookFailed(w http.ResponseWriter, r *http.Request, t bookTarget, in guestInput, key string, err error) {
	var ae *apperr.Error
	if !errors.As(err, &ae) || (ae.Code != apperr.Invalid && ae.Code != apperr.Conflict && ae.Code != apperr.Unprocessable) {
		s.fail(w, r, err)
		return
	}
	v := s.newBookView(t)
	v.Input, v.Key = in, key
	status := apperr.Status(ae.Code)
	switch {
	case ae.Reason == scheduling.ReasonIdempotencyMismatch:
		v.Key = newIdempotencyKey()
		v.Message = "This form was already sent with other details. Please check them and send it again."
	case ae.Field == "startTime" || ae.Reason == scheduling.ReasonSlotTaken:
		dv, _, derr := s.daySlots(r, t)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		v.Taken = dv
		v.Message = "Sorry — someone else just booked this time. Please pick another one."
		if ae.Reason != scheduling.ReasonSlotTaken {
			v.Message = "Sorry — this time can no longer be booked. Please pick another one."
		}
	default:
		if !v.Errors.set(ae.Field, ae.Message) {
			v.Message = "We couldn't make this booking. Please check the form and try again."
		}
		v.HasErrors = true
	}
	s.render(w, r, status, "book", view{Title: "Book " + t.o.Name + " — " + t.pv.Business.Name, Main: v})
}

// fieldLabels map the use case's field names to the form's labels.
var fieldLabels = map[string]string{"client.name": "Name", "client.email": "E-mail", "client.phone": "Phone", "note": "Note"}

// set puts a use case's message next to its field, in the form's words
// ("client.email must be an e-mail address" → "E-mail must be an e-mail
// address."). It reports false for a field the form does not have.
func (e *guestErrors) set(field, message string) bool {
	label, ok := fieldLabels[field]
	if !ok {
		return false
	}
	msg := strings.Replace(message, field, label, 1)
	if field == "note" && strings.HasPrefix(message, "note must be plain text") {
		// The use case names the character by its code point; say it in
		// words.
		msg = "Note may hold only text and line breaks: please remove special characters"
	}
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	switch field {
	case "client.name":
		e.Name = msg
	case "client.email":
		e.Email = msg
	case "client.phone":
		e.Phone = msg
	case "note":
		e.Note = msg
	}
	return true
}

// noteLines splits a booking's note into its lines (none for "").
func noteLines(note string) []string {
	if note == "" {
		return nil
	}
	return strings.Split(note, "\n")
}
