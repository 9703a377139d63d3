package scheduling

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/scheduling/slots"
)

// SlotQuery is the input of Slots: the public slot search.
type SlotQuery struct {
	Subdomain string
	ServiceID string
	StaffID   string // optional: one staff member
	From, To  string // inclusive local dates YYYY-MM-DD in TimeZone
	TimeZone  string // optional: the answer's zone (default the business's)
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
	b, err := load(ctx, s.store.BusinessBySubdomain, "business", q.Subdomain)
	if err != nil {
		return SlotAnswer{}, err
	}
	o, staff, err := s.offering(ctx, b.ID, q.ServiceID, q.StaffID)
	if err != nil {
		return SlotAnswer{}, err
	}
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
	if req.Staff, err = s.staffInput(ctx, staff, lo, hi); err != nil {
		return SlotAnswer{}, err
	}
	got, err := slots.Compute(req)
	if err != nil {
		return SlotAnswer{}, fmt.Errorf("compute slots: %w", err)
	}
	return SlotAnswer{Slots: got, Zone: out}, nil
}

// offering returns a business's service and the staff members who perform
// it (only staffID's, when given).
func (s *Service) offering(ctx context.Context, businessID, serviceID, staffID string) (Offering, []Staff, error) {
	if serviceID == "" {
		return Offering{}, nil, apperr.Field(apperr.Invalid, "serviceId", "serviceId is required")
	}
	o, err := load(ctx, s.store.Offering, "service", serviceID)
	if err == nil && o.BusinessID != businessID {
		err = notFound("service", serviceID)
	}
	if err != nil {
		return Offering{}, nil, err
	}
	if staffID != "" {
		st, err := load(ctx, s.store.StaffMember, "staff member", staffID)
		if err == nil && st.BusinessID != businessID {
			err = notFound("staff member", staffID)
		}
		if err != nil {
			return Offering{}, nil, err
		}
		if !st.Offers(serviceID) {
			return Offering{}, nil, apperr.Field(apperr.Unprocessable, "staffId", "staff member %q does not perform service %q", staffID, serviceID).WithReason(ReasonNoStaff)
		}
		return o, []Staff{st}, nil
	}
	all, err := s.store.Staff(ctx, businessID)
	if err != nil {
		return Offering{}, nil, fmt.Errorf("list staff: %w", err)
	}
	var staff []Staff
	for _, st := range all {
		if st.Offers(serviceID) {
			staff = append(staff, st)
		}
	}
	return o, staff, nil
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
// with one range query.
func (s *Service) staffInput(ctx context.Context, staff []Staff, lo, hi time.Time) ([]slots.Staff, error) {
	ids := make([]string, len(staff))
	for i, st := range staff {
		ids[i] = st.ID
	}
	if len(ids) == 0 {
		return nil, nil
	}
	hours, err := s.store.Availability(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("load hours: %w", err)
	}
	busy, err := s.store.Busy(ctx, ids, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("load bookings: %w", err)
	}
	byStaff := map[string][]slots.Busy{}
	for _, b := range busy {
		byStaff[b.StaffID] = append(byStaff[b.StaffID], slots.Busy{Start: b.Start, End: b.End})
	}
	out := make([]slots.Staff, 0, len(staff))
	for _, st := range staff {
		in, err := slotStaff(st.ID, hours[st.ID])
		if err != nil {
			return nil, err
		}
		in.Busy = byStaff[st.ID]
		out = append(out, in)
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
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, apperr.Field(apperr.Invalid, "timeZone", "unknown time zone %q", name).WithReason("unknown_time_zone")
	}
	return loc, nil
}

// loadZone loads a business's zone (validated by the business service).
func loadZone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
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
