package slots

import (
	"fmt"
	"time"
)

// Fits reports whether a booking of [start, start+Duration) for staff s is
// one of the slots Compute would offer under req's rules (ignoring From, To,
// OutZone and Staff): nil, or an error wrapping the first reason found, in
// this order: ErrTooSoon, ErrBeyondHorizon, ErrOutsideHours (the start is
// in no opening range), ErrNotOnStep, ErrOutsideHours (the blocked range
// leaves the opening range), ErrOverlaps; or an input error wrapping
// ErrInvalidRequest. Its cost is independent of the
// busy entries far from start.
func Fits(req Request, s Staff, start time.Time) error {
	p, err := newPlan(req)
	if err != nil {
		return err
	}
	h, err := newHours(s)
	if err != nil {
		return err
	}
	if reason := p.fits(h, s.Busy, start); reason != nil {
		return fmt.Errorf("start %s for staff %q: %w", start.Format(time.RFC3339), s.ID, reason)
	}
	return nil
}

// fits returns the sentinel reason start is not offered, or nil.
func (p *plan) fits(h hours, busy []Busy, start time.Time) error {
	switch y := start.Year(); {
	case y < minYear:
		return ErrTooSoon
	case y >= maxYear:
		return ErrBeyondHorizon
	}
	st := start.UnixNano()
	if st < p.notBefore {
		return ErrTooSoon
	}
	if st > p.notAfter {
		return ErrBeyondHorizon
	}
	local := start.In(p.zone)
	d := DateOf(local)
	hh, mm, ss := local.Clock()
	off := int64(hh)*hour + int64(mm)*minute + int64(ss)*int64(time.Second) + int64(local.Nanosecond())
	r, ok := rangeAt(h.on(d), off)
	if !ok {
		return ErrOutsideHours
	}
	clock := newDayClock(p.zone, d)
	if first, ok := clock.exact(clock.at(off)); !ok || first != st {
		return ErrNotOnStep // the second occurrence of a repeated local time
	}
	from, to := int64(r.Start)*minute, int64(r.End)*minute
	if (off-from)%p.step != 0 {
		return ErrNotOnStep
	}
	idx := newBusyIndex(busy, st-p.before, st+p.dur+p.after)
	return p.verdict(st, clock.reach(clock.at(from)), clock.reach(clock.at(to)), &idx)
}

// rangeAt returns the range of rs that contains time-of-day off (ns).
func rangeAt(rs []Range, off int64) (Range, bool) {
	for _, r := range rs {
		if off >= int64(r.Start)*minute && off < int64(r.End)*minute {
			return r, true
		}
	}
	return Range{}, false
}
