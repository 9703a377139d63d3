package slots

import (
	"fmt"
	"slices"
)

// hours are one staff member's opening ranges per date: weekly ranges by
// weekday, replaced on override dates. Ranges are sorted and merged.
type hours struct {
	weekly    [7][]Range
	overrides map[Date][]Range // nil slice: closed
}

// newHours validates and normalises the hours of s.
func newHours(s Staff) (hours, error) {
	var h hours
	var weekly [7][]Range
	for _, w := range s.Weekly {
		if w.Weekday < 0 || w.Weekday > 6 {
			return h, invalid("staff %q: weekday %d out of range", s.ID, w.Weekday)
		}
		if !w.Range.Valid() {
			return h, invalid("staff %q: %s range %s", s.ID, w.Weekday, w.Range)
		}
		weekly[w.Weekday] = append(weekly[w.Weekday], w.Range)
	}
	for i := range weekly {
		h.weekly[i] = mergeRanges(weekly[i])
	}
	if len(s.Overrides) > 0 {
		h.overrides = make(map[Date][]Range, len(s.Overrides))
	}
	for _, o := range s.Overrides {
		if !o.Date.Valid() {
			return h, invalid("staff %q: override date %s", s.ID, o.Date)
		}
		for _, r := range o.Ranges {
			if !r.Valid() {
				return h, invalid("staff %q: override %s range %s", s.ID, o.Date, r)
			}
		}
		if o.Closed {
			h.overrides[o.Date] = nil
			continue
		}
		h.overrides[o.Date] = mergeRanges(o.Ranges)
	}
	return h, nil
}

// on returns the opening ranges of date d.
func (h *hours) on(d Date) []Range {
	if rs, ok := h.overrides[d]; ok {
		return rs
	}
	return h.weekly[d.Weekday()]
}

// mergeRanges returns rs sorted by start with overlapping or touching ranges
// merged into one (whose steps start from the earliest start).
func mergeRanges(rs []Range) []Range {
	if len(rs) == 0 {
		return nil
	}
	out := slices.Clone(rs)
	slices.SortFunc(out, func(a, b Range) int { return int(a.Start - b.Start) })
	merged := out[:1]
	for _, r := range out[1:] {
		last := &merged[len(merged)-1]
		if r.Start <= last.End {
			last.End = max(last.End, r.End)
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// String formats r as "HH:MM-HH:MM".
func (r Range) String() string { return fmt.Sprintf("%s-%s", r.Start, r.End) }

// invalid returns an input error wrapping ErrInvalidRequest.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidRequest, fmt.Sprintf(format, args...))
}
