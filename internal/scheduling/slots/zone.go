package slots

import (
	"math"
	"time"
)

// Instants are handled internally as Unix nanoseconds (int64): the supported
// years (minYear..maxYear) keep every sum far from overflow. A local
// wall-clock time is represented the same way, as the Unix nanoseconds its
// reading would have in UTC ("naive" time).
const (
	minYear = 1900
	maxYear = 2200
	minute  = int64(time.Minute)
	hour    = int64(time.Hour)
	// Every real UTC offset lies within ±offsetReach, so the instant of a
	// wall-clock reading L lies within [L-offsetReach, L+offsetReach].
	offsetReach = 15 * hour
)

// period is a span [start, end) of instants during which a zone has one UTC
// offset.
type period struct {
	start, end int64 // Unix ns; math.MinInt64 / math.MaxInt64 when unbounded
	offset     int64 // ns east of UTC
}

// dayClock maps the wall-clock readings of one local date (and of the next
// date's midnight) to instants in one zone.
type dayClock struct {
	midnight int64    // naive Unix ns of the date's 00:00
	periods  []period // chronological, covering every instant a reading may map to
}

// newDayClock collects the offset periods of loc around date d.
func newDayClock(loc *time.Location, d Date) dayClock {
	c := dayClock{midnight: d.utc().UnixNano()}
	t := c.midnight - offsetReach
	last := c.midnight + 24*hour + offsetReach
	for {
		at := time.Unix(0, t).In(loc)
		_, off := at.Zone()
		s, e := at.ZoneBounds()
		p := period{start: math.MinInt64, end: math.MaxInt64, offset: int64(off) * int64(time.Second)}
		if !s.IsZero() {
			p.start = s.UnixNano()
		}
		if !e.IsZero() {
			p.end = e.UnixNano()
		}
		c.periods = append(c.periods, p)
		if p.end > last || p.end <= t {
			return c
		}
		t = p.end
	}
}

// at returns the naive time of local time-of-day off (ns since midnight).
func (c *dayClock) at(off int64) int64 { return c.midnight + off }

// exact maps a wall-clock reading to the first instant at which the clock
// shows it; ok is false when the reading does not exist (a spring-forward
// gap). A reading repeated at a fall-back transition maps to its first
// occurrence only.
func (c *dayClock) exact(naive int64) (int64, bool) {
	for _, p := range c.periods {
		t := naive - p.offset
		if t >= p.start && t < p.end {
			return t, true
		}
	}
	return 0, false
}

// reach maps a wall-clock reading to the first instant at which the clock
// shows it or a later reading: the reading itself when it exists (first
// occurrence), else the transition that skips over it. Opening-range bounds
// are mapped this way, so a range that starts or ends inside a gap starts or
// ends at the transition.
func (c *dayClock) reach(naive int64) int64 {
	for _, p := range c.periods {
		t := max(p.start, naive-p.offset)
		if t < p.end {
			return t
		}
	}
	// Unreachable: the last period is unbounded or ends after every reading.
	return naive - c.periods[len(c.periods)-1].offset
}
