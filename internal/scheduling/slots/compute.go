package slots

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// plan is the validated, window-independent part of a Request, in Unix ns.
type plan struct {
	zone                *time.Location
	dur, before, after  int64
	step                int64
	notBefore, notAfter int64 // earliest and latest allowed starts
}

// newPlan validates everything Compute and Fits share.
func newPlan(req Request) (plan, error) {
	p := plan{zone: req.Zone, dur: int64(req.Duration), before: int64(req.BufferBefore),
		after: int64(req.BufferAfter), step: int64(req.Rules.Step)}
	r := req.Rules
	switch {
	case req.Zone == nil:
		return p, invalid("zone is required")
	case req.Duration <= 0:
		return p, invalid("duration %s must be positive", req.Duration)
	case req.BufferBefore < 0 || req.BufferAfter < 0:
		return p, invalid("buffers must not be negative")
	case req.Duration+req.BufferBefore+req.BufferAfter > 24*time.Hour:
		return p, invalid("duration plus buffers longer than a day")
	case r.Step < MinStep:
		return p, invalid("slot interval %s shorter than %s", r.Step, MinStep)
	case r.MinNotice < 0 || r.Horizon < 0:
		return p, invalid("minimum notice and horizon must not be negative")
	case req.Now.Year() < minYear || req.Now.Year() >= maxYear:
		return p, invalid("now %s outside the supported years", req.Now)
	}
	now := req.Now.UnixNano()
	p.notBefore = addSat(now, int64(r.MinNotice))
	p.notAfter = math.MaxInt64
	if r.Horizon > 0 {
		p.notAfter = addSat(now, int64(r.Horizon))
	}
	return p, nil
}

// addSat is a + b for b >= 0, saturating at math.MaxInt64.
func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// window is the requested span [start, end) of instants and the dates in
// the business's zone that it touches.
type window struct {
	start, end  int64
	first, last Date
}

// newWindow validates From/To and converts them to instants in OutZone.
func newWindow(req Request) (window, error) {
	var w window
	out := req.OutZone
	if out == nil {
		out = req.Zone
	}
	for _, d := range []Date{req.From, req.To} {
		if !d.Valid() || d.Year < minYear || d.Year >= maxYear {
			return w, invalid("date %s invalid or outside the supported years", d)
		}
	}
	if req.From.Compare(req.To) > 0 {
		return w, invalid("from %s is after to %s", req.From, req.To)
	}
	if n := req.From.DaysUntil(req.To) + 1; n > MaxDays {
		return w, fmt.Errorf("%w: %w: %d days", ErrInvalidRequest, ErrRangeTooLong, n)
	}
	startClock, endClock := newDayClock(out, req.From), newDayClock(out, req.To.AddDays(1))
	w.start, w.end = startClock.reach(startClock.midnight), endClock.reach(endClock.midnight)
	w.first = DateOf(time.Unix(0, w.start).In(req.Zone))
	w.last = DateOf(time.Unix(0, w.end-1).In(req.Zone))
	return w, nil
}

// BusyWindow returns the span [from, to) that a busy range must overlap to
// matter to Compute(req): feed Compute the bookings whose blocked range
// starts before to and ends after from (one indexed range query).
func BusyWindow(req Request) (from, to time.Time, err error) {
	p, err := newPlan(req)
	if err != nil {
		return from, to, err
	}
	w, err := newWindow(req)
	if err != nil {
		return from, to, err
	}
	return time.Unix(0, w.start-p.before).UTC(), time.Unix(0, w.end+p.dur+p.after).UTC(), nil
}

// candidate is a slot before conversion: its start and its staff's rank in
// StaffID order.
type candidate struct {
	start int64
	rank  int
}

// staffPlan is one staff member prepared for a window.
type staffPlan struct {
	id    string
	hours hours
	busy  busyIndex
}

// Compute returns every bookable slot of req's staff whose start lies in the
// window, sorted by Start then StaffID. See the package doc for the rules.
func Compute(req Request) ([]Slot, error) {
	p, err := newPlan(req)
	if err != nil {
		return nil, err
	}
	w, err := newWindow(req)
	if err != nil {
		return nil, err
	}
	staff, err := prepareStaff(req.Staff, p, w)
	if err != nil {
		return nil, err
	}
	cands := make([]candidate, 0, p.capacity(staff, w))
	for d := w.first; d.Compare(w.last) <= 0; d = d.AddDays(1) {
		clock := newDayClock(p.zone, d)
		dayStart := len(cands)
		for rank := range staff {
			for _, r := range staff[rank].hours.on(d) {
				cands = p.appendRange(cands, &clock, r, w, &staff[rank].busy, rank)
			}
		}
		// Sorting day by day is cheaper than one big sort, and the days'
		// starts follow each other (checked below, in case a zone's odd
		// transition breaks that).
		slices.SortFunc(cands[dayStart:], compareCandidates)
	}
	return toSlots(cands, staff, p, req), nil
}

// capacity returns how many starts the staff's opening ranges in the window
// hold (an upper bound of the candidates), so that the candidates are
// allocated once; a DST day's extra hour may exceed it, and append grows.
func (p *plan) capacity(staff []staffPlan, w window) int {
	n := 0
	for d := w.first; d.Compare(w.last) <= 0; d = d.AddDays(1) {
		for i := range staff {
			for _, r := range staff[i].hours.on(d) {
				n += int((int64(r.End-r.Start)*minute + p.step - 1) / p.step)
			}
		}
	}
	return n
}

// prepareStaff validates the staff, orders them by ID and indexes their busy
// ranges for the window.
func prepareStaff(in []Staff, p plan, w window) ([]staffPlan, error) {
	out := make([]staffPlan, len(in))
	low, high := w.start-p.before, w.end+p.dur+p.after
	for i, s := range in {
		h, err := newHours(s)
		if err != nil {
			return nil, err
		}
		out[i] = staffPlan{id: s.ID, hours: h, busy: newBusyIndex(s.Busy, low, high)}
	}
	slices.SortStableFunc(out, func(a, b staffPlan) int { return cmp.Compare(a.id, b.id) })
	return out, nil
}

// appendRange appends the slots of one opening range of one date.
func (p *plan) appendRange(cands []candidate, c *dayClock, r Range, w window, busy *busyIndex, rank int) []candidate {
	from, to := int64(r.Start)*minute, int64(r.End)*minute
	rs, re := c.reach(c.at(from)), c.reach(c.at(to))
	for off := from; off < to; off += p.step {
		st, ok := c.exact(c.at(off))
		if !ok || st < w.start || st >= w.end {
			continue
		}
		if p.verdict(st, rs, re, busy) == nil {
			cands = append(cands, candidate{start: st, rank: rank})
		}
	}
	return cands
}

// verdict applies the rules to a start st that is on a step of the opening
// range [rs, re): nil, or the sentinel reason it is not offered.
func (p *plan) verdict(st, rs, re int64, busy *busyIndex) error {
	bs, be := st-p.before, st+p.dur+p.after
	switch {
	case st < p.notBefore:
		return ErrTooSoon
	case st > p.notAfter:
		return ErrBeyondHorizon
	case bs < rs || be > re:
		return ErrOutsideHours
	case busy.overlaps(bs, be):
		return ErrOverlaps
	}
	return nil
}

// compareCandidates orders candidates by start, then staff rank.
func compareCandidates(a, b candidate) int {
	if a.start != b.start {
		if a.start < b.start {
			return -1
		}
		return 1
	}
	return a.rank - b.rank
}

// toSlots sorts and de-duplicates the candidates and converts them.
func toSlots(cands []candidate, staff []staffPlan, p plan, req Request) []Slot {
	if !slices.IsSortedFunc(cands, compareCandidates) {
		slices.SortFunc(cands, compareCandidates)
	}
	cands = slices.Compact(cands)
	out := req.OutZone
	if out == nil {
		out = req.Zone
	}
	slots := make([]Slot, len(cands))
	for i, c := range cands {
		slots[i] = Slot{
			Start:   time.Unix(0, c.start).In(out),
			End:     time.Unix(0, c.start+p.dur).In(out),
			StaffID: staff[c.rank].id,
		}
	}
	return slots
}
