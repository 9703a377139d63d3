package slots

import (
	"math"
	"sort"
)

// busyIndex answers "does [bs, be) overlap a busy range?" for the busy
// entries that can matter to one window. Building it costs a binary search
// plus the entries inside the window; a query costs a binary search.
type busyIndex struct {
	starts []int64 // entry starts, ascending
	maxEnd []int64 // maxEnd[i] = the latest end among entries 0..i
}

// newBusyIndex indexes the entries of busy (sorted by Start) that may
// overlap [low, high): those starting before high, from the first one that
// starts at or after low, walking back over earlier entries while they still
// end after low.
func newBusyIndex(busy []Busy, low, high int64) busyIndex {
	hi := sort.Search(len(busy), func(i int) bool { return busy[i].Start.UnixNano() >= high })
	lo := sort.Search(hi, func(i int) bool { return busy[i].Start.UnixNano() >= low })
	for lo > 0 && reachesPast(busy[lo-1], low) {
		lo--
	}
	idx := busyIndex{starts: make([]int64, 0, hi-lo), maxEnd: make([]int64, 0, hi-lo)}
	top := int64(math.MinInt64)
	for _, b := range busy[lo:hi] {
		s, e := b.Start.UnixNano(), b.End.UnixNano()
		if e > s { // an empty or inverted entry blocks nothing
			top = max(top, e)
		}
		idx.starts = append(idx.starts, s)
		idx.maxEnd = append(idx.maxEnd, top)
	}
	return idx
}

// reachesPast reports whether b, which starts before t, should be kept when
// walking back from t: it ends after t, or it is empty (it blocks nothing and
// must not stop the walk).
func reachesPast(b Busy, t int64) bool {
	s, e := b.Start.UnixNano(), b.End.UnixNano()
	return e > t || e <= s
}

// overlaps reports whether [bs, be) overlaps an indexed entry.
func (x *busyIndex) overlaps(bs, be int64) bool {
	k := sort.Search(len(x.starts), func(i int) bool { return x.starts[i] >= be })
	return k > 0 && x.maxEnd[k-1] > bs
}
