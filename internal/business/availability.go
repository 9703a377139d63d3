package business

import (
	"fmt"
	"sort"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
)

// Availability is one staff member's opening hours: weekly intervals in
// local time of the business's zone, and date overrides (closed, or other
// intervals). The interval types are the event's.
type Availability struct {
	BusinessID string
	StaffID    string
	Weekly     []event.WeeklyInterval
	Overrides  []event.DateOverride
	UpdatedAt  time.Time
}

// Bounds of an availability document.
const (
	maxWeekly            = 7 * 48
	maxOverrides         = 1000
	maxOverrideIntervals = 48
)

// Check validates a and returns it normalised: weekly sorted by weekday and
// start, overrides by date, nil slices empty. Errors name the field with
// its index, e.g. "weekly[2].end".
func (a Availability) Check() (Availability, error) {
	if len(a.Weekly) > maxWeekly {
		return a, apperr.Field(apperr.Invalid, "weekly", "at most %d weekly intervals", maxWeekly)
	}
	if len(a.Overrides) > maxOverrides {
		return a, apperr.Field(apperr.Invalid, "overrides", "at most %d overrides", maxOverrides)
	}
	if err := checkWeekly(a.Weekly); err != nil {
		return a, err
	}
	if err := checkOverrides(a.Overrides); err != nil {
		return a, err
	}
	out := a
	out.Weekly = append([]event.WeeklyInterval{}, a.Weekly...)
	sort.SliceStable(out.Weekly, func(i, j int) bool {
		x, y := out.Weekly[i], out.Weekly[j]
		return x.Weekday < y.Weekday || (x.Weekday == y.Weekday && x.Start < y.Start)
	})
	out.Overrides = append([]event.DateOverride{}, a.Overrides...)
	sort.SliceStable(out.Overrides, func(i, j int) bool { return out.Overrides[i].Date < out.Overrides[j].Date })
	for i := range out.Overrides {
		ivs := append([]event.TimeInterval(nil), out.Overrides[i].Intervals...)
		sort.SliceStable(ivs, func(x, y int) bool { return ivs[x].Start < ivs[y].Start })
		out.Overrides[i].Intervals = ivs
	}
	return out, nil
}

// span is a checked interval in minutes of the day, with its field name.
type span struct {
	start, end int
	field      string
}

func checkWeekly(weekly []event.WeeklyInterval) error {
	byDay := map[int][]span{}
	for i, w := range weekly {
		field := fmt.Sprintf("weekly[%d]", i)
		if w.Weekday < 0 || w.Weekday > 6 {
			return apperr.Field(apperr.Invalid, field+".weekday", "%s.weekday must be 0 (Sunday) to 6 (Saturday), got %d", field, w.Weekday)
		}
		s, err := checkInterval(field, w.Start, w.End)
		if err != nil {
			return err
		}
		byDay[w.Weekday] = append(byDay[w.Weekday], s)
	}
	for _, spans := range byDay {
		if err := checkOverlaps(spans); err != nil {
			return err
		}
	}
	return nil
}

func checkOverrides(overrides []event.DateOverride) error {
	seen := map[string]string{}
	for i, o := range overrides {
		field := fmt.Sprintf("overrides[%d]", i)
		if _, err := time.Parse(time.DateOnly, o.Date); err != nil {
			return apperr.Field(apperr.Invalid, field+".date", "%s.date must be a date YYYY-MM-DD, got %q", field, o.Date)
		}
		if prev, dup := seen[o.Date]; dup {
			return apperr.Field(apperr.Invalid, field+".date", "%s.date %s is already overridden by %s", field, o.Date, prev)
		}
		seen[o.Date] = field
		if err := checkOverride(field, o); err != nil {
			return err
		}
	}
	return nil
}

func checkOverride(field string, o event.DateOverride) error {
	switch {
	case o.Closed && len(o.Intervals) > 0:
		return apperr.Field(apperr.Invalid, field+".intervals", "%s: closed and intervals exclude each other", field)
	case !o.Closed && len(o.Intervals) == 0:
		return apperr.Field(apperr.Invalid, field+".intervals", "%s needs closed: true or at least one interval", field)
	case len(o.Intervals) > maxOverrideIntervals:
		return apperr.Field(apperr.Invalid, field+".intervals", "at most %d intervals", maxOverrideIntervals)
	}
	spans := make([]span, 0, len(o.Intervals))
	for j, iv := range o.Intervals {
		s, err := checkInterval(fmt.Sprintf("%s.intervals[%d]", field, j), iv.Start, iv.End)
		if err != nil {
			return err
		}
		spans = append(spans, s)
	}
	return checkOverlaps(spans)
}

// checkInterval validates "HH:MM" start and end (end may be "24:00") with
// start before end.
func checkInterval(field, start, end string) (span, error) {
	s, ok := parseClock(start)
	if !ok || s == 24*60 {
		return span{}, apperr.Field(apperr.Invalid, field+".start", "%s.start must be a time HH:MM (00:00–23:59), got %q", field, start)
	}
	e, ok := parseClock(end)
	if !ok {
		return span{}, apperr.Field(apperr.Invalid, field+".end", "%s.end must be a time HH:MM (00:00–24:00), got %q", field, end)
	}
	if e <= s {
		return span{}, apperr.Field(apperr.Invalid, field+".end", "%s.end %s must be after start %s", field, end, start)
	}
	return span{start: s, end: e, field: field}, nil
}

// checkOverlaps reports the first pair of spans that overlap (touching is
// fine: 09:00–12:00 and 12:00–17:00).
func checkOverlaps(spans []span) error {
	sorted := append([]span(nil), spans...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].start < sorted[j].start })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].start < sorted[i-1].end {
			later, other := sorted[i], sorted[i-1].field
			return apperr.Field(apperr.Invalid, later.field+".start", "%s overlaps %s", later.field, other).WithReason("overlapping_intervals")
		}
	}
	return nil
}

// parseClock parses "HH:MM" (or "24:00") into minutes of the day.
func parseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, m := atoi2(s[0:2]), atoi2(s[3:5])
	if h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

func atoi2(s string) int {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return -1
	}
	return int(s[0]-'0')*10 + int(s[1]-'0')
}
