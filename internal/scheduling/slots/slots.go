package slots

import (
	"errors"
	"fmt"
	"time"
)

// MaxDays is the longest allowed From..To range, in days (both inclusive).
const MaxDays = 62

// MinStep is the smallest allowed Rules.Step; a finer step would let one
// request enumerate an unbounded number of starts.
const MinStep = time.Minute

// The reasons Fits gives for a start that is not an offered slot. Fits wraps
// exactly one of them; match with errors.Is.
var (
	// ErrOutsideHours: the start, or the blocked range around it (buffers
	// included), is not inside one opening range of that date.
	ErrOutsideHours = errors.New("outside opening hours")
	// ErrNotOnStep: the start is inside opening hours but is not one of the
	// stepped starts (not a multiple of the slot interval from the range's
	// start, not on a whole step, or the second occurrence of a repeated
	// local time at a fall-back transition).
	ErrNotOnStep = errors.New("not on the slot interval")
	// ErrTooSoon: the start is in the past or inside the minimum notice.
	ErrTooSoon = errors.New("inside minimum notice")
	// ErrBeyondHorizon: the start is later than now plus the booking horizon.
	ErrBeyondHorizon = errors.New("beyond booking horizon")
	// ErrOverlaps: the blocked range overlaps a busy range of the staff member.
	ErrOverlaps = errors.New("overlaps an existing booking")
)

// Errors for invalid input to Compute, Fits and BusyWindow. Every input error
// wraps ErrInvalidRequest; a From..To range longer than MaxDays also wraps
// ErrRangeTooLong.
var (
	// ErrInvalidRequest is wrapped by every input error (an HTTP 400).
	ErrInvalidRequest = errors.New("invalid slot request")
	// ErrRangeTooLong is wrapped, with ErrInvalidRequest, when To-From+1
	// exceeds MaxDays.
	ErrRangeTooLong = fmt.Errorf("date range longer than %d days", MaxDays)
)

// LocalTime is a wall-clock time of day in minutes since midnight (0..1440;
// 1440 = "24:00", only meaningful as the end of a range).
type LocalTime int

// EndOfDay is "24:00", the end of a range that runs until midnight.
const EndOfDay LocalTime = 24 * 60

// ParseLocalTime parses "HH:MM" (two digits each, 00:00..24:00).
func ParseLocalTime(s string) (LocalTime, error) {
	if len(s) != 5 || s[2] != ':' || !digits(s[:2]) || !digits(s[3:]) {
		return 0, fmt.Errorf("local time %q: want HH:MM", s)
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("local time %q: out of range 00:00..24:00", s)
	}
	return LocalTime(h*60 + m), nil
}

// String formats t as "HH:MM".
func (t LocalTime) String() string {
	return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60)
}

// Valid reports whether t is within 00:00..24:00.
func (t LocalTime) Valid() bool { return t >= 0 && t <= EndOfDay }

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Date is a civil (calendar) date, without a zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD: %w", s, err)
	}
	return DateOf(t), nil
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// String formats d as "YYYY-MM-DD".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Valid reports whether d names a real calendar day.
func (d Date) Valid() bool {
	return d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && DateOf(d.utc()) == d
}

// AddDays returns the date n days after d (before, for negative n).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.utc().Compare(e.utc()) }

// DaysUntil returns the number of days from d to e (negative if e is earlier).
func (d Date) DaysUntil(e Date) int {
	return int(e.utc().Sub(d.utc()) / (24 * time.Hour))
}

// utc is midnight of d in UTC: the date's wall clock read as if it were UTC,
// which is how local wall-clock times are represented internally.
func (d Date) utc() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// Range is an opening range [Start, End) of local times; Start < End.
type Range struct{ Start, End LocalTime }

// Valid reports whether 00:00 <= Start < End <= 24:00.
func (r Range) Valid() bool { return r.Start >= 0 && r.Start < r.End && r.End <= EndOfDay }

// Weekly is an opening range that applies on every Weekday.
type Weekly struct {
	Weekday time.Weekday
	Range
}

// Override replaces the weekly hours of one Date: Closed (or no Ranges)
// means closed all day, otherwise the Ranges are that date's only hours.
type Override struct {
	Date   Date
	Closed bool
	Ranges []Range
}

// Busy is an existing booking's blocked range, its start minus its buffer
// before to its end plus its buffer after: [Start, End).
type Busy struct{ Start, End time.Time }

// Staff is one staff member's hours and busy ranges. Busy must be sorted by
// Start (see the package doc for what is assumed about overlapping entries).
type Staff struct {
	ID        string
	Weekly    []Weekly
	Overrides []Override
	Busy      []Busy
}

// Rules are the booking rules. MinNotice >= 0; Horizon >= 0, where 0 means
// no horizon; Step >= MinStep.
type Rules struct {
	MinNotice time.Duration // a start must be at least this far after Now
	Horizon   time.Duration // a start may be at most this far after Now
	Step      time.Duration // interval between starts, in local wall-clock time
}

// Request is one slot query.
type Request struct {
	Zone                                *time.Location // the business's zone: opening hours are local times there
	From, To                            Date           // inclusive local dates in OutZone
	OutZone                             *time.Location // the requested zone (nil: Zone); slots carry its offset
	Duration, BufferBefore, BufferAfter time.Duration
	Rules                               Rules
	Now                                 time.Time
	Staff                               []Staff
}

// Slot is one bookable start for one staff member; Start and End are in the
// request's OutZone and End - Start == Request.Duration.
type Slot struct {
	Start, End time.Time
	StaffID    string
}
