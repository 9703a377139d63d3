package web

// Small in-memory fakes of the use cases the pages call, shaped like the
// real services' answers (apperr codes, reasons, fields). Phase 2 runs the
// page tests against the real services instead.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/scheduling/slots"
)

// fakeBusinesses serves public views by subdomain.
type fakeBusinesses struct {
	mu    sync.Mutex
	views map[string]business.PublicView
}

func (f *fakeBusinesses) Public(_ context.Context, sub string) (business.PublicView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.views[sub]
	if !ok {
		return v, apperr.New(apperr.NotFound, "no business %q", sub)
	}
	return v, nil
}

func (f *fakeBusinesses) PublicByID(_ context.Context, id string) (business.PublicView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range f.views {
		if v.Business.ID == id {
			return v, nil
		}
	}
	return business.PublicView{}, apperr.New(apperr.NotFound, "no business %q", id)
}

// fakeScheduler opens every staff member 09:00–18:00 business time,
// Monday to Saturday, in 30-minute steps.
type fakeScheduler struct {
	mu       sync.Mutex
	biz      *fakeBusinesses
	now      func() time.Time
	hold     time.Duration
	bookings map[string]*scheduling.Booking
	idem     map[string]string // key → booking id
	created  int
	// beforeCreate, when set, runs before a booking is made (a test books
	// the slot meanwhile).
	beforeCreate func()
	// queries are the slot searches asked for, in order.
	queries []scheduling.SlotQuery
}

func newFakeScheduler(biz *fakeBusinesses, now func() time.Time) *fakeScheduler {
	return &fakeScheduler{biz: biz, now: now, hold: 15 * time.Minute, bookings: map[string]*scheduling.Booking{}, idem: map[string]string{}}
}

func (f *fakeScheduler) view(ctx context.Context, sub string) (business.PublicView, error) {
	return f.biz.Public(ctx, sub)
}

func (f *fakeScheduler) viewByID(id string) (business.PublicView, bool) {
	f.biz.mu.Lock()
	defer f.biz.mu.Unlock()
	for _, v := range f.biz.views {
		if v.Business.ID == id {
			return v, true
		}
	}
	return business.PublicView{}, false
}

func offeringOf(v business.PublicView, id string) (business.Offering, bool) {
	for _, o := range v.Offerings {
		if o.ID == id {
			return o, true
		}
	}
	return business.Offering{}, false
}

func (f *fakeScheduler) Slots(ctx context.Context, q scheduling.SlotQuery) (scheduling.SlotAnswer, error) {
	v, err := f.view(ctx, q.Subdomain)
	if err != nil {
		return scheduling.SlotAnswer{}, err
	}
	o, ok := offeringOf(v, q.ServiceID)
	if !ok {
		return scheduling.SlotAnswer{}, apperr.New(apperr.NotFound, "no service %q", q.ServiceID)
	}
	out, err := time.LoadLocation(q.TimeZone)
	if err != nil || q.TimeZone == "" {
		return scheduling.SlotAnswer{}, apperr.Field(apperr.Invalid, "timeZone", "unknown time zone %q", q.TimeZone)
	}
	from, err1 := time.ParseInLocation(time.DateOnly, q.From, out)
	to, err2 := time.ParseInLocation(time.DateOnly, q.To, out)
	if err1 != nil || err2 != nil {
		return scheduling.SlotAnswer{}, apperr.Field(apperr.Invalid, "from", "from must be a date YYYY-MM-DD")
	}
	if to.Sub(from) > 62*24*time.Hour {
		return scheduling.SlotAnswer{}, apperr.Field(apperr.Invalid, "to", "range too long").WithReason(scheduling.ReasonRangeTooLong)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	got := f.free(v, o, q.StaffID, from, to.AddDate(0, 0, 1), f.bookings[q.IgnoreBookingID])
	for i := range got {
		got[i].Start, got[i].End = got[i].Start.In(out), got[i].End.In(out)
	}
	return scheduling.SlotAnswer{Slots: got, Zone: out}, nil
}

// free lists the free slots starting in [lo, hi), ignoring booking skip.
func (f *fakeScheduler) free(v business.PublicView, o business.Offering, staffID string, lo, hi time.Time, skip *scheduling.Booking) []slots.Slot {
	zone, _ := time.LoadLocation(v.Business.TimeZone)
	rules := v.Business.Rules.Apply(o.Rules)
	now := f.now()
	horizon := now.Add(time.Duration(rules.HorizonDays) * 24 * time.Hour)
	dur := time.Duration(o.DurationMinutes) * time.Minute
	var out []slots.Slot
	for d := lo.In(zone).AddDate(0, 0, -1); d.Before(hi.AddDate(0, 0, 1)); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Sunday {
			continue
		}
		y, m, day := d.Date()
		for mins := 9 * 60; mins+o.DurationMinutes <= 18*60; mins += 30 {
			start := time.Date(y, m, day, mins/60, mins%60, 0, 0, zone)
			if start.Before(lo) || !start.Before(hi) || !start.After(now) || start.After(horizon) {
				continue
			}
			for _, st := range v.Staff {
				if (staffID != "" && st.ID != staffID) || !(st.Implicit || slices.Contains(st.ServiceIDs, o.ID)) {
					continue
				}
				if f.busy(st.ID, start, start.Add(dur), skip) {
					continue
				}
				out = append(out, slots.Slot{Start: start, End: start.Add(dur), StaffID: st.ID})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

func (f *fakeScheduler) busy(staffID string, start, end time.Time, skip *scheduling.Booking) bool {
	for _, b := range f.bookings {
		if b != skip && b.StaffID == staffID && b.Status.Blocks() && b.Start.Before(end) && start.Before(b.End) {
			return true
		}
	}
	return false
}

func (f *fakeScheduler) CreateBooking(_ context.Context, _ scheduling.Actor, in scheduling.BookingInput) (scheduling.Created, error) {
	if f.beforeCreate != nil {
		f.beforeCreate()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	g := in.Client
	switch {
	case strings.TrimSpace(g.Name) == "":
		return scheduling.Created{}, apperr.Field(apperr.Invalid, "client.name", "client.name is required")
	case !strings.Contains(g.Email, "@"):
		return scheduling.Created{}, apperr.Field(apperr.Invalid, "client.email", "client.email must be an e-mail address")
	case utf8.RuneCountInString(in.Note) > scheduling.MaxNoteLen:
		return scheduling.Created{}, apperr.Field(apperr.Invalid, "note", "note must be at most %d characters", scheduling.MaxNoteLen)
	case strings.ContainsFunc(in.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		return scheduling.Created{}, apperr.Field(apperr.Invalid, "note", "note must be plain text: no control characters but line breaks and tabs, got U+0007")
	}
	if id, ok := f.idem[in.IdempotencyKey]; ok {
		return scheduling.Created{Booking: *f.bookings[id], Replayed: true}, nil
	}
	v, ok := f.viewByID(in.BusinessID)
	o, ok2 := offeringOf(v, in.ServiceID)
	if !ok || !ok2 {
		return scheduling.Created{}, apperr.New(apperr.NotFound, "no service %q", in.ServiceID)
	}
	start, err := time.Parse(time.RFC3339, in.StartTime)
	if err != nil {
		return scheduling.Created{}, apperr.Field(apperr.Invalid, "startTime", "startTime must be an RFC 3339 time")
	}
	cands := f.free(v, o, in.StaffID, start, start.Add(time.Second), nil)
	if len(cands) == 0 {
		return scheduling.Created{}, apperr.Field(apperr.Conflict, "startTime", "the slot at %s is taken", in.StartTime).WithReason(scheduling.ReasonSlotTaken)
	}
	token := randomHex()
	now := f.now().UTC()
	b := &scheduling.Booking{
		ID: "booking_" + randomHex()[:12], BusinessID: v.Business.ID, ServiceID: o.ID, StaffID: cands[0].StaffID,
		ClientID: "guest_1", ClientName: g.Name, ClientEmail: g.Email, ClientPhone: g.Phone, Note: strings.ReplaceAll(in.Note, "\r\n", "\n"),
		Status: scheduling.StatusConfirmed, Start: start.UTC(), End: start.Add(time.Duration(o.DurationMinutes) * time.Minute).UTC(),
		TotalMinor: o.PriceMinor, Currency: o.Currency, RequiresPayment: o.RequiresPayment,
		ManageTokenHash: scheduling.HashToken(token), CreatedAt: now, UpdatedAt: now,
	}
	if b.RequiresPayment {
		b.Status, b.HoldUntil = scheduling.StatusPending, now.Add(f.hold)
	}
	f.bookings[b.ID] = b
	f.created++
	if in.IdempotencyKey != "" {
		f.idem[in.IdempotencyKey] = b.ID
	}
	return scheduling.Created{Booking: *b, ManageToken: token}, nil
}

func (f *fakeScheduler) find(actor scheduling.Actor, id string) (*scheduling.Booking, error) {
	b, ok := f.bookings[id]
	if !ok || actor.ManageToken == "" || scheduling.HashToken(actor.ManageToken) != b.ManageTokenHash {
		return nil, apperr.New(apperr.NotFound, "no booking %q", id)
	}
	return b, nil
}

func (f *fakeScheduler) BookingByToken(_ context.Context, token string) (scheduling.Booking, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.bookings {
		if token != "" && b.ManageTokenHash == scheduling.HashToken(token) {
			return *b, nil
		}
	}
	return scheduling.Booking{}, apperr.New(apperr.NotFound, "no booking has this manage link")
}

func (f *fakeScheduler) Cancel(_ context.Context, actor scheduling.Actor, id, _ string) (scheduling.Booking, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.find(actor, id)
	if err != nil {
		return scheduling.Booking{}, err
	}
	if !b.Status.Blocks() {
		return scheduling.Booking{}, apperr.New(apperr.Conflict, "booking %s is %s", id, b.Status).WithReason(scheduling.ReasonNotModifiable)
	}
	b.Status, b.CancelReason, b.HoldUntil = scheduling.StatusCancelled, "cancelled_by_client", time.Time{}
	return *b, nil
}

func (f *fakeScheduler) Reschedule(_ context.Context, actor scheduling.Actor, id, startTime string) (scheduling.Booking, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.find(actor, id)
	if err != nil {
		return scheduling.Booking{}, err
	}
	if !b.Status.Blocks() {
		return scheduling.Booking{}, apperr.New(apperr.Conflict, "booking %s is %s", id, b.Status).WithReason(scheduling.ReasonNotModifiable)
	}
	start, err := time.Parse(time.RFC3339, startTime)
	if err != nil {
		return scheduling.Booking{}, apperr.Field(apperr.Invalid, "startTime", "startTime must be an RFC 3339 time")
	}
	v, _ := f.viewByID(b.BusinessID)
	o, _ := offeringOf(v, b.ServiceID)
	if len(f.free(v, o, b.StaffID, start, start.Add(time.Second), b)) == 0 {
		return scheduling.Booking{}, apperr.Field(apperr.Conflict, "startTime", "the slot at %s is taken", startTime).WithReason(scheduling.ReasonSlotTaken)
	}
	dur := b.End.Sub(b.Start)
	b.Start, b.End = start.UTC(), start.Add(dur).UTC()
	return *b, nil
}

// fakePayments keeps one payment per booking that must be paid, created
// when a test (or the demo) calls open.
type fakePayments struct {
	mu       sync.Mutex
	sched    *fakeScheduler
	provider string
	byBook   map[string]*payment.Payment
	// policy is the refund policy CancellationRefund applies; quotes are
	// the times it was asked about.
	policy payment.RefundPolicy
	quotes []time.Time
	// checkouts are the hosted payment pages opened (StartCheckout).
	checkouts []payment.CheckoutPage
}

func (f *fakePayments) open(bookingID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sched.mu.Lock()
	b := f.sched.bookings[bookingID]
	f.sched.mu.Unlock()
	f.byBook[bookingID] = &payment.Payment{ID: "pay_" + randomHex()[:12], BookingID: bookingID, Amount: b.TotalMinor,
		Currency: b.Currency, Provider: f.provider, Status: payment.StatusRequiresPayment}
}

func (f *fakePayments) PaymentOfBooking(_ context.Context, c payment.Caller, bookingID string) (payment.Payment, error) {
	f.sched.mu.Lock()
	_, err := f.sched.find(scheduling.Actor{ManageToken: c.Token}, bookingID)
	f.sched.mu.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.byBook[bookingID]
	if err != nil || !ok {
		return payment.Payment{}, apperr.New(apperr.NotFound, "no payment for booking %q", bookingID)
	}
	return *p, nil
}

func (f *fakePayments) PaySandbox(_ context.Context, paymentID, card string) (payment.Payment, error) {
	kind, reason, err := payment.SandboxCharge(card)
	if err != nil {
		return payment.Payment{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.byBook {
		if p.ID != paymentID {
			continue
		}
		if p.Status != payment.StatusRequiresPayment {
			return *p, apperr.New(apperr.Conflict, "payment %s is %s", p.ID, p.Status).WithReason("payment_not_payable")
		}
		f.sched.mu.Lock()
		b := f.sched.bookings[p.BookingID]
		switch {
		case kind == payment.OutcomeSucceeded:
			p.Status, p.FailureReason = payment.StatusSucceeded, ""
			b.Status, b.HoldUntil = scheduling.StatusConfirmed, time.Time{}
		default: // declined: the payment stays payable while the hold lasts
			p.FailureReason = reason
		}
		f.sched.mu.Unlock()
		return *p, nil
	}
	return payment.Payment{}, apperr.New(apperr.NotFound, "no payment %q", paymentID)
}

func (f *fakePayments) ProviderName() string { return f.provider }

// CancellationRefund applies the policy as the payment service does:
// NotFound without the booking's token; nothing paid, nothing refunded;
// nothing more once the booking is closed.
func (f *fakePayments) CancellationRefund(_ context.Context, c payment.Caller, bookingID string, at time.Time) (payment.RefundQuote, error) {
	f.sched.mu.Lock()
	b, err := f.sched.find(scheduling.Actor{ManageToken: c.Token}, bookingID)
	var bk scheduling.Booking
	if err == nil {
		bk = *b
	}
	f.sched.mu.Unlock()
	if err != nil {
		return payment.RefundQuote{}, apperr.New(apperr.NotFound, "no booking %q", bookingID)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.quotes = append(f.quotes, at)
	q := payment.RefundQuote{Rule: f.policy.Words()}
	p, ok := f.byBook[bookingID]
	if !ok {
		return q, nil
	}
	q.Paid, q.Currency = p.Refundable(), p.Currency
	if bk.Status.Blocks() {
		q.Amount = min(f.policy.ForCancellation(p.Amount, bk.Start, at), q.Paid)
	}
	return q, nil
}

// StartCheckout opens a pretend hosted page, as the real service does:
// NotFound for the sandbox or a caller without the booking's token,
// Invalid for a relative return URL, Conflict when not payable.
func (f *fakePayments) StartCheckout(ctx context.Context, c payment.Caller, bookingID string, page payment.CheckoutPage) (string, error) {
	if f.provider == "sandbox" {
		return "", apperr.New(apperr.NotFound, "the sandbox provider has no hosted checkout")
	}
	for field, u := range map[string]string{"successUrl": page.SuccessURL, "cancelUrl": page.CancelURL} {
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return "", apperr.Field(apperr.Invalid, field, "%s must be an absolute http(s) URL, got %q", field, u)
		}
	}
	p, err := f.PaymentOfBooking(ctx, c, bookingID)
	if err != nil {
		return "", err
	}
	if !p.Payable() {
		return "", apperr.New(apperr.Conflict, "This booking is no longer awaiting payment.").WithReason("payment_not_payable")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checkouts = append(f.checkouts, page)
	return "https://checkout.stripe.test/c/pay/cs_test_" + p.ID, nil
}

// succeed applies a hosted payment's success (the provider's webhook):
// the payment succeeds; the booking is confirmed when confirm is set (the
// saga may take a moment).
func (f *fakePayments) succeed(bookingID string, confirm bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.byBook[bookingID]
	p.Status, p.FailureReason = payment.StatusSucceeded, ""
	if confirm {
		f.sched.mu.Lock()
		b := f.sched.bookings[bookingID]
		b.Status, b.HoldUntil = scheduling.StatusConfirmed, time.Time{}
		f.sched.mu.Unlock()
	}
}

func randomHex() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// sampleViews are the businesses of the tests and the demo: a salon in
// Berlin with two staff members, and a hostile one.
func sampleViews() map[string]business.PublicView {
	rules := business.Rules{HorizonDays: 60, SlotIntervalMinutes: 30}
	return map[string]business.PublicView{
		"rosa": {
			Business: business.Business{ID: "biz_rosa", OwnerID: "user_owner", Name: "Salon Rosa", Subdomain: "rosa", TimeZone: "Europe/Berlin", Rules: rules,
				Description: "Cuts and colour in a quiet studio near the park.", Address: "Parkstraße 12\n10115 Berlin"},
			Offerings: []business.Offering{
				{ID: "svc_cut", BusinessID: "biz_rosa", Name: "Haircut", Description: "Wash, cut and style.", DurationMinutes: 30, Currency: "EUR"},
				{ID: "svc_colour", BusinessID: "biz_rosa", Name: "Colour", Description: "Full colour with a gloss.", DurationMinutes: 90, PriceMinor: 12000, Currency: "EUR", RequiresPayment: true},
				{ID: "svc_massage", BusinessID: "biz_rosa", Name: "Head massage", Description: "An hour to unwind.", DurationMinutes: 60, Currency: "EUR"},
			},
			Staff: []business.Staff{
				{ID: "staff_alice", BusinessID: "biz_rosa", Name: "Alice Martin", ServiceIDs: []string{"svc_cut", "svc_colour", "svc_massage"}},
				{ID: "staff_bob", BusinessID: "biz_rosa", Name: "Bob Keller", ServiceIDs: []string{"svc_cut"}},
			},
		},
		"evil": {
			Business: business.Business{ID: "biz_evil", OwnerID: "user_evil", Name: `<script>alert(1)</script> Salon`, Subdomain: "evil", TimeZone: "Europe/Berlin", Rules: rules,
				Description: `<script>alert(5)</script>`, Address: `<img src=x onerror=alert(6)>`},
			Offerings: []business.Offering{
				{ID: "svc_x", BusinessID: "biz_evil", Name: `<img src=x onerror=alert(2)>`, Description: `"><script>alert(3)</script>`, DurationMinutes: 60, PriceMinor: 500, Currency: "USD"},
			},
			Staff: []business.Staff{{ID: "staff_x", BusinessID: "biz_evil", Name: `<b onmouseover=alert(4)>Eve</b>`, Implicit: true}},
		},
	}
}
