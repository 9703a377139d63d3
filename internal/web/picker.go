package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/scheduling/slots"
)

// pickerQuery is the picker's state, from the URL: month=YYYY-MM,
// day=YYYY-MM-DD, tz (an IANA zone), staff (a staff member's id; "" for
// anyone).
type pickerQuery struct {
	Month, Day, TZ, Staff string
}

func pickerQueryOf(r *http.Request) pickerQuery {
	q := r.URL.Query()
	return pickerQuery{Month: q.Get("month"), Day: q.Get("day"), TZ: q.Get("tz"), Staff: q.Get("staff")}
}

// pickerSpec is what differs between the pickers of the service page and
// of the reschedule page.
type pickerSpec struct {
	// Base is the picker page's path; its links and zone form go there.
	Base     string
	PV       business.PublicView
	Offering business.Offering
	// FixedStaff, when set, is the only staff member (a booking keeps its
	// staff member when moved): no staff choice is offered.
	FixedStaff string
	// IgnoreBookingID, when set, is the booking being moved: its own time
	// does not block the slots (SlotQuery.IgnoreBookingID). Set only for a
	// booking whose manage token was checked.
	IgnoreBookingID string
	// SlotURL is where a slot leads.
	SlotURL func(start time.Time, staffID string, zone *time.Location) string
}

// pickerView is the swappable region: month grid, the chosen day's slots,
// the zone and staff choices.
type pickerView struct {
	Heading        string
	Notice         string
	Announce       string
	PrevURL        string
	NextURL        string
	PrevLabel      string
	NextLabel      string
	Weekdays       []struct{ Short, Long string }
	Weeks          [][]calendarCell
	Day            *dayView
	Empty          string
	Zone           string
	ZoneAbbr       string
	BusinessZone   string
	ZoneForm       zoneForm
	Staff          []staffChoice
	FixedStaffName string
}

// zoneForm is the GET form that changes the zone, keeping the rest.
type zoneForm struct {
	Action            string
	Groups            []zoneOptionGroup
	Month, Day, Staff string
}

// staffChoice is one choice of the staff picker.
type staffChoice struct {
	Name, URL string
	Current   bool
}

// dayView is the chosen day and its free slots.
type dayView struct {
	Heading string
	Slots   []slotLink
	Message string
}

// slotLink is one free slot: its time in the shown zone and where it leads.
type slotLink struct {
	Time, Zone, Label, URL string
}

// pickerState is the resolved query.
type pickerState struct {
	zone, bizZone *time.Location
	staffID       string
	month         month
	day           civil
	hasDay        bool
	notices       []string
}

// resolve turns the URL's query into a valid state: an unknown zone falls
// back to the business's, an unknown staff member to anyone, a month or
// day outside the bookable window to the nearest month inside it, each
// with a notice.
func (s *Site) resolve(spec pickerSpec, q pickerQuery) (pickerState, window) {
	var st pickerState
	st.bizZone, _ = loadZone(spec.PV.Business.TimeZone)
	if st.bizZone == nil {
		st.bizZone = time.UTC
	}
	st.zone = st.bizZone
	if z, ok := loadZone(q.TZ); ok {
		st.zone = z
	} else if q.TZ != "" {
		st.notices = append(st.notices, fmt.Sprintf("We don't know the time zone %q, so times are shown in %s.", q.TZ, st.zone))
	}
	st.staffID = spec.FixedStaff
	if spec.FixedStaff == "" && q.Staff != "" {
		if slices.ContainsFunc(performers(spec.PV, spec.Offering.ID), func(m business.Staff) bool { return m.ID == q.Staff }) {
			st.staffID = q.Staff
		} else {
			st.notices = append(st.notices, "That staff member isn't available for this service, so we're showing everyone's times.")
		}
	}
	rules := spec.PV.Business.Rules.Apply(spec.Offering.Rules)
	win := newWindow(s.deps.Now().In(st.zone), rules.HorizonDays)
	st.month = win.first.month()
	if d, ok := parseCivil(q.Day); ok {
		st.day, st.hasDay, st.month = d, true, d.month()
	} else if m, ok := parseMonth(q.Month); ok {
		st.month = m
	}
	m, note := win.clampMonth(st.month)
	if note != "" {
		st.notices = append(st.notices, note)
		st.hasDay = false
	} else if st.hasDay && !win.has(st.day) {
		st.notices = append(st.notices, fmt.Sprintf("%s can't be booked, so pick another day.", st.day.in(time.UTC).Format(dayLayout)))
		st.hasDay = false
	}
	st.month = m
	return st, win
}

// picker builds the picker for the URL's query: one slot search over the
// shown month (the month's bookable days and the chosen day's slots).
func (s *Site) picker(ctx context.Context, spec pickerSpec, q pickerQuery) (pickerView, error) {
	st, win := s.resolve(spec, q)
	ans, err := s.deps.Scheduler.Slots(ctx, scheduling.SlotQuery{
		Subdomain: spec.PV.Business.Subdomain, ServiceID: spec.Offering.ID, StaffID: st.staffID,
		From: st.month.first().String(), To: st.month.last().String(), TimeZone: st.zone.String(),
		IgnoreBookingID: spec.IgnoreBookingID,
	})
	if err != nil {
		return pickerView{}, err
	}
	byDay := groupSlots(ans.Slots, st.zone, st.staffID == "")
	if !st.hasDay {
		for d := st.month.first(); d.month() == st.month; d = civilOf(d.in(time.UTC).AddDate(0, 0, 1)) {
			if len(byDay[d]) > 0 {
				st.day, st.hasDay = d, true
				break
			}
		}
	}
	return s.pickerView(spec, st, win, byDay), nil
}

// groupSlots groups slots by their date in zone; for anyone (merge), one
// slot per start.
func groupSlots(all []slots.Slot, zone *time.Location, merge bool) map[civil][]slots.Slot {
	out := map[civil][]slots.Slot{}
	for i, sl := range all {
		if merge && i > 0 && all[i-1].Start.Equal(sl.Start) {
			continue
		}
		d := civilOf(sl.Start.In(zone))
		out[d] = append(out[d], sl)
	}
	return out
}

// pickerView renders the resolved state and the month's slots.
func (s *Site) pickerView(spec pickerSpec, st pickerState, win window, byDay map[civil][]slots.Slot) pickerView {
	tz := st.zone.String()
	staff := st.staffID
	if spec.FixedStaff != "" {
		staff = "" // not a choice; keep it out of the links
	}
	link := func(m month, day string) string {
		return withQuery(spec.Base, "month", m.String(), "day", day, "tz", tz, "staff", staff)
	}
	now := s.deps.Now()
	v := pickerView{
		Heading: st.month.label(), Weekdays: weekdayNames, Notice: strings.Join(st.notices, " "),
		Zone: tz, ZoneAbbr: zoneAbbr(now.In(st.zone)),
		ZoneForm: zoneForm{Action: spec.Base, Groups: zoneOptions(st.zone, now), Month: st.month.String(), Staff: staff},
	}
	if st.zone.String() != st.bizZone.String() {
		v.BusinessZone = zoneLabel(st.bizZone, now)
	}
	if prev := st.month.add(-1); !prev.before(win.first.month()) {
		v.PrevURL, v.PrevLabel = link(prev, ""), "Previous month, "+prev.label()
	}
	if next := st.month.add(1); !win.last.month().before(next) {
		v.NextURL, v.NextLabel = link(next, ""), "Next month, "+next.label()
	}
	bookable := 0
	today := civilOf(now.In(st.zone))
	v.Weeks = st.month.weeks(func(d civil) calendarCell {
		n := len(byDay[d])
		c := calendarCell{Num: d.Day, Bookable: n > 0, Today: d == today, Selected: st.hasDay && d == st.day,
			Label: d.in(time.UTC).Format(dayLayout) + ", no free times"}
		if n > 0 {
			c.URL, c.Label = link(st.month, d.String()), d.in(time.UTC).Format(dayLayout)+", "+plural(n, "free time", "free times")
			bookable++
		}
		return c
	})
	s.chosenDay(&v, spec, st, byDay[st.day], bookable)
	s.staffChoices(&v, spec, st)
	return v
}

// chosenDay fills the chosen day's slots, or says that the month has none,
// and what the live region announces.
func (s *Site) chosenDay(v *pickerView, spec pickerSpec, st pickerState, day []slots.Slot, bookable int) {
	if st.hasDay {
		v.ZoneForm.Day = st.day.String()
		v.Day = s.dayView(spec, st, day)
		v.Announce = fmt.Sprintf("%s: %s.", v.Day.Heading, plural(len(day), "free time", "free times"))
		return
	}
	v.Empty = fmt.Sprintf("There are no free times in %s.", st.month.label())
	if v.NextURL != "" {
		v.Empty += " Try the next month."
	}
	v.Announce = v.Empty
	if bookable > 0 {
		v.Announce = fmt.Sprintf("%s: %s with free times.", st.month.label(), plural(bookable, "day", "days"))
	}
}

// dayView lists a day's slots as links.
func (s *Site) dayView(spec pickerSpec, st pickerState, day []slots.Slot) *dayView {
	dv := &dayView{Heading: st.day.in(time.UTC).Format(dayLayout)}
	for _, sl := range day {
		t := sl.Start.In(st.zone)
		staffID := st.staffID
		dv.Slots = append(dv.Slots, slotLink{
			Time: t.Format(clockLayout), Zone: zoneAbbr(t),
			Label: clock(t) + ", " + t.Format(dayLayout),
			URL:   spec.SlotURL(sl.Start, staffID, st.zone),
		})
	}
	if len(dv.Slots) == 0 {
		dv.Message = "No free times on this day. Please pick another day."
	}
	return dv
}

// staffChoices fills the staff picker ("Anyone" or one person), or names
// the fixed staff member.
func (s *Site) staffChoices(v *pickerView, spec pickerSpec, st pickerState) {
	if spec.FixedStaff != "" {
		v.FixedStaffName = staffName(spec.PV, spec.FixedStaff)
		return
	}
	members := performers(spec.PV, spec.Offering.ID)
	if len(members) < 2 {
		return
	}
	day := ""
	if st.hasDay {
		day = st.day.String()
	}
	tz := st.zone.String()
	v.Staff = append(v.Staff, staffChoice{Name: "Anyone", Current: st.staffID == "",
		URL: withQuery(spec.Base, "month", st.month.String(), "day", day, "tz", tz)})
	for _, m := range members {
		v.Staff = append(v.Staff, staffChoice{Name: m.Name, Current: st.staffID == m.ID,
			URL: withQuery(spec.Base, "month", st.month.String(), "day", day, "tz", tz, "staff", m.ID)})
	}
}
