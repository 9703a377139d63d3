package scheduling

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/scheduling/slots"
	"github.com/slotwise/slotwise/internal/tz"
)

// SlotQuery is the input of Slots: the public slot search.
type SlotQuery struct {
	Subdomain string
	ServiceID string
	StaffID   string // optional: one staff member
	From, To  string // inclusive local dates YYYY-MM-DD in TimeZone
	TimeZone  string // optional: the answer's zone (default the business's)
	// IgnoreBookingID, when set, is a booking whose own range does not
	// block the slots: the search for its new time, which offers what
	// Reschedule accepts (times overlapping where it is now). Only that
	// booking is left out. The caller must have checked that the asker
	// may change it (its manage token, say); the JSON API does not take it.
	IgnoreBookingID string
}

// SlotAnswer is what Slots returns: the slots, in Zone.
type SlotAnswer struct {
	Slots []slots.Slot
	Zone  *time.Location
}

// Slots returns the free slots of a service of the business at a subdomain.
func (s *Service) Slots(ctx context.Context, q SlotQuery) (SlotAnswer, error) {
	from, to, err := dateRange(q.From, q.To)
	if err != nil {
		return SlotAnswer{}, err
	}
	set, err := s.setting(ctx, SettingQuery{Subdomain: q.Subdomain, ServiceID: q.ServiceID, StaffID: q.StaffID})
	if err != nil {
		return SlotAnswer{}, err
	}
	b, o := set.Business, set.Offering
	zone, err := loadZone(b.TimeZone)
	if err != nil {
		return SlotAnswer{}, err
	}
	out := zone
	if q.TimeZone != "" {
		if out, err = parseZone(q.TimeZone); err != nil {
			return SlotAnswer{}, err
		}
	}
	req := s.request(b, o, zone, out, from, to)
	lo, hi, err := slots.BusyWindow(req)
	if err != nil {
		return SlotAnswer{}, fmt.Errorf("slot window: %w", err)
	}
	if req.Staff, err = s.withBusy(ctx, set.Staff, set.Hours, lo, hi, q.IgnoreBookingID); err != nil {
		return SlotAnswer{}, err
	}
	got, err := slots.Compute(req)
	if err != nil {
		return SlotAnswer{}, fmt.Errorf("compute slots: %w", err)
	}
	return SlotAnswer{Slots: got, Zone: out}, nil
}

// setting loads, in one read, the business (by id, or by subdomain), the
// service and the staff members who perform it (only q.StaffID's, when
// given) with their hours: Setting.Staff holds only those members. Its
// errors are offering's, after a 404 for a missing business.
func (s *Service) setting(ctx context.Context, q SettingQuery) (Setting, error) {
	name := q.BusinessID
	if name == "" {
		name = q.Subdomain
	}
	set, err := s.store.Setting(ctx, q)
	if errors.Is(err, ErrNotFound) {
		return Setting{}, notFound("business", name)
	}
	if err != nil {
		return Setting{}, fmt.Errorf("load business %s: %w", name, err)
	}
	switch {
	case q.ServiceID == "":
		return Setting{}, apperr.Field(apperr.Invalid, "serviceId", "serviceId is required")
	case set.Offering.ID == "":
		return Setting{}, notFound("service", q.ServiceID)
	case q.StaffID != "" && len(set.Staff) == 0:
		return Setting{}, notFound("staff member", q.StaffID)
	case q.StaffID != "" && !set.Staff[0].Offers(q.ServiceID):
		return Setting{}, apperr.Field(apperr.Unprocessable, "staffId", "staff member %q does not perform service %q", q.StaffID, q.ServiceID).WithReason(ReasonNoStaff)
	}
	staff := set.Staff[:0]
	for _, st := range set.Staff {
		if st.Offers(q.ServiceID) {
			staff = append(staff, st)
		}
	}
	set.Staff = staff
	return set, nil
}

// request builds the slot computation's input (without staff).
func (s *Service) request(b Business, o Offering, zone, out *time.Location, from, to slots.Date) slots.Request {
	r := b.Rules.Apply(o.Rules)
	before, after := o.Buffers()
	return slots.Request{
		Zone: zone, From: from, To: to, OutZone: out,
		Duration: o.Duration(), BufferBefore: before, BufferAfter: after,
		Rules: slots.Rules{
			MinNotice: time.Duration(r.MinNoticeMinutes) * time.Minute,
			Horizon:   time.Duration(r.HorizonDays) * 24 * time.Hour,
			Step:      time.Duration(r.SlotIntervalMinutes) * time.Minute,
		},
		Now: s.clock(),
	}
}

// staffInput loads the hours of staff and their busy ranges in [lo, hi)
// with one range query, without booking ignore's range ("" for none).
func (s *Service) staffInput(ctx context.Context, staff []Staff, lo, hi time.Time, ignore string) ([]slots.Staff, error) {
	if len(staff) == 0 {
		return nil, nil
	}
	hours, err := s.store.Availability(ctx, staffIDs(staff))
	if err != nil {
		return nil, fmt.Errorf("load hours: %w", err)
	}
	return s.withBusy(ctx, staff, hours, lo, hi, ignore)
}

func staffIDs(staff []Staff) []string {
	ids := make([]string, len(staff))
	for i, st := range staff {
		ids[i] = st.ID
	}
	return ids
}

// withBusy converts staff and their hours into the slot package's input,
// with their busy ranges in [lo, hi) read by one range query — without
// booking ignore's range, when set.
func (s *Service) withBusy(ctx context.Context, staff []Staff, hours map[string]Availability, lo, hi time.Time, ignore string) ([]slots.Staff, error) {
	if len(staff) == 0 {
		return nil, nil
	}
	var busy []Busy
	var err error
	if ignore == "" {
		busy, err = s.store.Busy(ctx, staffIDs(staff), lo, hi)
	} else {
		busy, err = s.store.BusyIgnoring(ctx, staffIDs(staff), lo, hi, ignore)
	}
	if err != nil {
		return nil, fmt.Errorf("load bookings: %w", err)
	}
	out := make([]slots.Staff, 0, len(staff))
	index := make(map[string]int, len(staff))
	for _, st := range staff {
		in, err := slotStaff(st.ID, hours[st.ID])
		if err != nil {
			return nil, err
		}
		index[st.ID] = len(out)
		out = append(out, in)
	}
	for _, b := range busy {
		if i, ok := index[b.StaffID]; ok {
			out[i].Busy = append(out[i].Busy, slots.Busy{Start: b.Start, End: b.End})
		}
	}
	return out, nil
}

// slotStaff converts stored hours into the slot package's input.
func slotStaff(id string, a Availability) (slots.Staff, error) {
	st := slots.Staff{ID: id}
	for _, w := range a.Weekly {
		r, err := slotRange(w.Start, w.End)
		if err != nil {
			return st, fmt.Errorf("hours of %s: %w", id, err)
		}
		st.Weekly = append(st.Weekly, slots.Weekly{Weekday: time.Weekday(w.Weekday), Range: r})
	}
	for _, o := range a.Overrides {
		d, err := slots.ParseDate(o.Date)
		if err != nil {
			return st, fmt.Errorf("hours of %s: %w", id, err)
		}
		ov := slots.Override{Date: d, Closed: o.Closed}
		for _, iv := range o.Intervals {
			r, err := slotRange(iv.Start, iv.End)
			if err != nil {
				return st, fmt.Errorf("hours of %s: %w", id, err)
			}
			ov.Ranges = append(ov.Ranges, r)
		}
		st.Overrides = append(st.Overrides, ov)
	}
	return st, nil
}

func slotRange(start, end string) (slots.Range, error) {
	s, err := slots.ParseLocalTime(start)
	if err != nil {
		return slots.Range{}, err
	}
	e, err := slots.ParseLocalTime(end)
	if err != nil {
		return slots.Range{}, err
	}
	return slots.Range{Start: s, End: e}, nil
}

// dateRange parses the inclusive local dates of a slot search.
func dateRange(from, to string) (slots.Date, slots.Date, error) {
	f, err := slots.ParseDate(from)
	if err != nil {
		return f, f, apperr.Field(apperr.Invalid, "from", "from must be a date YYYY-MM-DD, got %q", from).WithReason("malformed_date")
	}
	t, err := slots.ParseDate(to)
	if err != nil {
		return f, t, apperr.Field(apperr.Invalid, "to", "to must be a date YYYY-MM-DD, got %q", to).WithReason("malformed_date")
	}
	days := dayNumber(t) - dayNumber(f) + 1
	switch {
	case days < 1:
		return f, t, apperr.Field(apperr.Invalid, "to", "to %s is before from %s", to, from)
	case days > slots.MaxDays:
		return f, t, apperr.Field(apperr.Invalid, "to", "the range from %s to %s spans %d days; at most %d", from, to, days, slots.MaxDays).WithReason(ReasonRangeTooLong)
	}
	return f, t, nil
}

func dayNumber(d slots.Date) int {
	return int(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func dateOf(t time.Time, loc *time.Location) slots.Date {
	y, m, d := t.In(loc).Date()
	return slots.Date{Year: y, Month: m, Day: d}
}

// parseZone loads a caller's IANA zone (400 naming timeZone when unknown).
func parseZone(name string) (*time.Location, error) {
	if name == "Local" || name == "" {
		return nil, apperr.Field(apperr.Invalid, "timeZone", "timeZone must be an IANA time zone such as Europe/Berlin")
	}
	loc, err := tz.Load(name)
	if err != nil {
		return nil, apperr.Field(apperr.Invalid, "timeZone", "unknown time zone %q", name).WithReason("unknown_time_zone")
	}
	return loc, nil
}

// loadZone loads a business's zone (validated by the business service).
func loadZone(name string) (*time.Location, error) {
	loc, err := tz.Load(name)
	if err != nil {
		return nil, fmt.Errorf("business time zone %q: %w", name, err)
	}
	return loc, nil
}

// fitError turns the slot package's verdict on a start into an API error.
func fitError(err error, start, now time.Time) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, slots.ErrOverlaps):
		return apperr.Field(apperr.Conflict, "startTime", "the slot at %s is taken", start.Format(time.RFC3339)).WithReason(ReasonSlotTaken)
	case start.Before(now):
		return apperr.Field(apperr.Unprocessable, "startTime", "startTime %s is in the past", start.Format(time.RFC3339)).WithReason(ReasonInPast)
	case errors.Is(err, slots.ErrTooSoon):
		return apperr.Field(apperr.Unprocessable, "startTime", "startTime %s is inside the minimum notice", start.Format(time.RFC3339)).WithReason(ReasonTooSoon)
	case errors.Is(err, slots.ErrBeyondHorizon):
		return apperr.Field(apperr.Unprocessable, "startTime", "startTime %s is beyond the booking horizon", start.Format(time.RFC3339)).WithReason(ReasonBeyondHorizon)
	case errors.Is(err, slots.ErrNotOnStep):
		return apperr.Field(apperr.Unprocessable, "startTime", "startTime %s is not on the slot interval", start.Format(time.RFC3339)).WithReason(ReasonNotOnStep)
	case errors.Is(err, slots.ErrOutsideHours):
		return apperr.Field(apperr.Unprocessable, "startTime", "startTime %s is outside the opening hours", start.Format(time.RFC3339)).WithReason(ReasonOutsideHours)
	}
	return fmt.Errorf("check slot: %w", err)
}
