package web

import (
	"fmt"
	"time"
)

// civil is a calendar date without a zone.
type civil struct {
	Year  int
	Month time.Month
	Day   int
}

func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// parseCivil parses "YYYY-MM-DD".
func parseCivil(s string) (civil, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return civil{}, false
	}
	return civilOf(t), true
}

// String formats d as "YYYY-MM-DD".
func (d civil) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// in returns the date's midnight in loc.
func (d civil) in(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

func (d civil) before(e civil) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

func (d civil) month() month { return month{d.Year, d.Month} }

// month is a calendar month.
type month struct {
	Year  int
	Month time.Month
}

// parseMonth parses "YYYY-MM".
func parseMonth(s string) (month, bool) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return month{}, false
	}
	return month{t.Year(), t.Month()}, true
}

// String formats m as "YYYY-MM".
func (m month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

func (m month) add(n int) month {
	t := time.Date(m.Year, m.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return month{t.Year(), t.Month()}
}

func (m month) before(o month) bool {
	return m.Year < o.Year || (m.Year == o.Year && m.Month < o.Month)
}

func (m month) first() civil { return civil{m.Year, m.Month, 1} }

func (m month) last() civil {
	return civilOf(time.Date(m.Year, m.Month+1, 0, 0, 0, 0, 0, time.UTC))
}

func (m month) label() string {
	return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC).Format(monthLayout)
}

// window is the dates a client may book: from today to the horizon's day,
// in the zone shown.
type window struct {
	first, last civil
}

func newWindow(now time.Time, horizonDays int) window {
	w := window{first: civilOf(now), last: civilOf(now.AddDate(0, 0, horizonDays))}
	if horizonDays <= 0 {
		w.last = civilOf(now.AddDate(3, 0, 0))
	}
	return w
}

func (w window) has(d civil) bool { return !d.before(w.first) && !w.last.before(d) }

// clampMonth returns the shown month for a requested one: the nearest
// month inside w, with a notice when it moved.
func (w window) clampMonth(m month) (month, string) {
	switch first, last := w.first.month(), w.last.month(); {
	case m.before(first):
		return first, fmt.Sprintf("%s has passed, so we're showing %s.", m.label(), first.label())
	case last.before(m):
		return last, fmt.Sprintf("Bookings open up to %s, so we're showing %s.", w.last.in(time.UTC).Format("2 January 2006"), last.label())
	}
	return m, ""
}

// calendarCell is one day of the month grid (Num 0: a blank before the
// 1st or after the last).
type calendarCell struct {
	Num      int
	Bookable bool
	Selected bool
	Today    bool
	URL      string
	Label    string // the full accessible name
}

// weeks lays out a month Monday first, calling cell for each day.
func (m month) weeks(cell func(civil) calendarCell) [][]calendarCell {
	lead := (int(m.first().in(time.UTC).Weekday()) + 6) % 7 // Monday = 0
	var out [][]calendarCell
	week := make([]calendarCell, lead, 7)
	for d := 1; d <= m.last().Day; d++ {
		week = append(week, cell(civil{m.Year, m.Month, d}))
		if len(week) == 7 {
			out, week = append(out, week), make([]calendarCell, 0, 7)
		}
	}
	if len(week) > 0 {
		week = append(week, make([]calendarCell, 7-len(week))...)
		out = append(out, week)
	}
	return out
}

// weekdayNames are the grid's column heads, Monday first.
var weekdayNames = []struct{ Short, Long string }{
	{"Mon", "Monday"}, {"Tue", "Tuesday"}, {"Wed", "Wednesday"}, {"Thu", "Thursday"},
	{"Fri", "Friday"}, {"Sat", "Saturday"}, {"Sun", "Sunday"},
}
