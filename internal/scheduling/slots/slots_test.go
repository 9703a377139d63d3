package slots_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zones load on any machine

	"github.com/slotwise/slotwise/internal/scheduling/slots"
)

// ---- helpers ----

func loc(t testing.TB, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return l
}

func date(t testing.TB, s string) slots.Date {
	t.Helper()
	d, err := slots.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func instant(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// rng parses "09:00-12:00".
func rng(t testing.TB, s string) slots.Range {
	t.Helper()
	a, b, _ := strings.Cut(s, "-")
	start, err := slots.ParseLocalTime(a)
	if err != nil {
		t.Fatal(err)
	}
	end, err := slots.ParseLocalTime(b)
	if err != nil {
		t.Fatal(err)
	}
	return slots.Range{Start: start, End: end}
}

func ranges(t testing.TB, specs ...string) []slots.Range {
	t.Helper()
	var out []slots.Range
	for _, s := range specs {
		out = append(out, rng(t, s))
	}
	return out
}

// weekly gives every listed weekday (all seven when none) the ranges.
func weekly(t testing.TB, specs []string, days ...time.Weekday) []slots.Weekly {
	t.Helper()
	if len(days) == 0 {
		days = []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	}
	var out []slots.Weekly
	for _, d := range days {
		for _, r := range ranges(t, specs...) {
			out = append(out, slots.Weekly{Weekday: d, Range: r})
		}
	}
	return out
}

// at lists RFC 3339 instants of one date written by hand: at("2026-06-10",
// "+02:00", "09:00", "09:30").
func at(day, offset string, hhmm ...string) []string {
	out := make([]string, len(hhmm))
	for i, h := range hhmm {
		out[i] = day + "T" + h + ":00" + offset
	}
	return out
}

func concat(lists ...[]string) []string { return slices.Concat(lists...) }

// base is a request for one staff member "s1" open 09:00-12:00 every day in
// zone, on 2026-06-10 (a Wednesday), 30-minute slots every 30 minutes.
func base(t testing.TB, zone string, edit func(*slots.Request)) slots.Request {
	t.Helper()
	r := slots.Request{
		Zone: loc(t, zone), From: date(t, "2026-06-10"), To: date(t, "2026-06-10"),
		Duration: 30 * time.Minute, Rules: slots.Rules{Step: 30 * time.Minute},
		Now:   instant(t, "2026-01-01T00:00:00Z"),
		Staff: []slots.Staff{{ID: "s1", Weekly: weekly(t, []string{"09:00-12:00"})}},
	}
	if edit != nil {
		edit(&r)
	}
	return r
}

// hours sets the only staff member's weekly hours (every day).
func hours(t testing.TB, specs ...string) func(*slots.Request) {
	return func(r *slots.Request) { r.Staff[0].Weekly = weekly(t, specs) }
}

func format(got []slots.Slot, withStaff bool) []string {
	out := make([]string, len(got))
	for i, s := range got {
		out[i] = s.Start.Format(time.RFC3339)
		if withStaff {
			out[i] += " " + s.StaffID
		}
	}
	return out
}

type computeCase struct {
	name     string
	req      slots.Request
	want     []string          // starts (plus " staffID" with several staff)
	wantEnds map[string]string // spot checks: start -> end, RFC 3339
}

func runCase(t *testing.T, c computeCase) {
	t.Helper()
	got, err := slots.Compute(c.req)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	if gotS := format(got, len(c.req.Staff) > 1); !slices.Equal(gotS, c.want) {
		t.Fatalf("starts:\n got %d %q\nwant %d %q", len(gotS), gotS, len(c.want), c.want)
	}
	out := c.req.OutZone
	if out == nil {
		out = c.req.Zone
	}
	ends := map[string]string{}
	for _, s := range got {
		if d := s.End.Sub(s.Start); d != c.req.Duration {
			t.Errorf("slot %s lasts %s, want %s", s.Start, d, c.req.Duration)
		}
		if s.Start.Location() != out || s.End.Location() != out {
			t.Errorf("slot %s not in zone %s", s.Start, out)
		}
		ends[s.Start.Format(time.RFC3339)] = s.End.Format(time.RFC3339)
	}
	for start, end := range c.wantEnds {
		if ends[start] != end {
			t.Errorf("slot %s ends %q, want %s", start, ends[start], end)
		}
	}
}

// ---- table tests ----

func ordinaryCases(t testing.TB) []computeCase {
	d := "2026-06-10"
	const b = "+02:00"
	withRules := func(step, dur time.Duration) func(*slots.Request) {
		return func(r *slots.Request) {
			r.Staff[0].Weekly = weekly(t, []string{"09:00-11:00"})
			r.Rules.Step, r.Duration = step, dur
		}
	}
	return []computeCase{
		{name: "ordinary day: starts every step while the duration fits",
			req:  base(t, "Europe/Berlin", func(r *slots.Request) { r.Duration = time.Hour }),
			want: at(d, b, "09:00", "09:30", "10:00", "10:30", "11:00")},
		{name: "several ranges: each range steps from its own start",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				hours(t, "09:00-12:00", "13:30-16:00")(r)
				r.Duration, r.Rules.Step = time.Hour, time.Hour
			}),
			want: at(d, b, "09:00", "10:00", "11:00", "13:30", "14:30")},
		{name: "overlapping ranges are merged: no duplicate starts",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				hours(t, "10:00-12:00", "09:00-11:00")(r)
				r.Duration, r.Rules.Step = time.Hour, time.Hour
			}),
			want: at(d, b, "09:00", "10:00", "11:00")},
		{name: "weekly hours apply only on their weekday",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				r.From, r.To = date(t, "2026-06-08"), date(t, "2026-06-14")
				r.Staff[0].Weekly = weekly(t, []string{"09:00-10:00"}, time.Tuesday, time.Saturday)
				r.Duration = time.Hour
			}),
			want: concat(at("2026-06-09", b, "09:00"), at("2026-06-13", b, "09:00"))},
		{name: "closed override: no slots that date",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				r.From, r.To = date(t, "2026-06-09"), date(t, "2026-06-11")
				hours(t, "09:00-10:00")(r)
				r.Duration = time.Hour
				r.Staff[0].Overrides = []slots.Override{{Date: date(t, d), Closed: true, Ranges: ranges(t, "09:00-10:00")}}
			}),
			want: concat(at("2026-06-09", b, "09:00"), at("2026-06-11", b, "09:00"))},
		{name: "special-hours override replaces the weekly hours",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				r.Duration = time.Hour
				r.Staff[0].Overrides = []slots.Override{{Date: date(t, d), Ranges: ranges(t, "14:00-15:30")}}
			}),
			want: at(d, b, "14:00", "14:30")},
		{name: "override opens a date without weekly hours",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				r.From, r.To = date(t, "2026-06-13"), date(t, "2026-06-14")
				r.Staff[0].Weekly = weekly(t, []string{"09:00-10:00"}, time.Monday)
				r.Staff[0].Overrides = []slots.Override{{Date: date(t, "2026-06-14"), Ranges: ranges(t, "10:00-11:00")}}
			}),
			want: at("2026-06-14", b, "10:00", "10:30")},
		{name: "busy booking with buffers removes the starts on both sides",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				hours(t, "09:00-17:00")(r)
				r.BufferBefore, r.BufferAfter = 15*time.Minute, 15*time.Minute
				// A booking 12:00-13:00 with 15-minute buffers blocks 11:45-13:15.
				r.Staff[0].Busy = []slots.Busy{{Start: instant(t, d+"T11:45:00+02:00"), End: instant(t, d+"T13:15:00+02:00")}}
			}),
			// 09:00 is out (its buffer starts 08:45); 11:30..13:00 overlap the
			// busy range; 16:30 is out (its buffer ends 17:15).
			want: at(d, b, "09:30", "10:00", "10:30", "11:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00")},
		{name: "busy ranges outside the window do not matter",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				r.Staff[0].Busy = []slots.Busy{
					{Start: instant(t, "2026-06-09T09:00:00+02:00"), End: instant(t, "2026-06-09T12:00:00+02:00")},
					{Start: instant(t, "2026-06-10T10:00:00+02:00"), End: instant(t, "2026-06-10T10:30:00+02:00")},
					{Start: instant(t, "2026-06-11T09:00:00+02:00"), End: instant(t, "2026-06-11T12:00:00+02:00")},
				}
			}),
			want: at(d, b, "09:00", "09:30", "10:30", "11:00", "11:30")},
		{name: "busy range starting before the window still blocks",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				r.Staff[0].Busy = []slots.Busy{
					{Start: instant(t, "2026-06-08T09:00:00+02:00"), End: instant(t, "2026-06-08T10:00:00+02:00")},
					{Start: instant(t, "2026-06-09T20:00:00+02:00"), End: instant(t, "2026-06-10T10:00:00+02:00")},
				}
			}),
			want: at(d, b, "10:00", "10:30", "11:00", "11:30")},
		{name: "min notice drops starts before now plus notice",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				r.Now = instant(t, d+"T09:10:00+02:00")
				r.Rules.MinNotice = 2 * time.Hour
			}),
			want: at(d, b, "11:30")},
		{name: "past starts are dropped, a start at now is kept",
			req:  base(t, "Europe/Berlin", func(r *slots.Request) { r.Now = instant(t, d+"T10:00:00+02:00") }),
			want: at(d, b, "10:00", "10:30", "11:00", "11:30")},
		{name: "horizon drops starts after now plus horizon, the limit kept",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				r.Now = instant(t, "2026-06-01T10:00:00+02:00")
				r.Rules.Horizon = 9 * 24 * time.Hour
			}),
			want: at(d, b, "09:00", "09:30", "10:00")},
		{name: "step 15 with a 45-minute duration",
			req:  base(t, "Europe/Berlin", withRules(15*time.Minute, 45*time.Minute)),
			want: at(d, b, "09:00", "09:15", "09:30", "09:45", "10:00", "10:15")},
		{name: "step 30 with a 45-minute duration",
			req:  base(t, "Europe/Berlin", withRules(30*time.Minute, 45*time.Minute)),
			want: at(d, b, "09:00", "09:30", "10:00")},
		{name: "step 60 with a 45-minute duration",
			req:  base(t, "Europe/Berlin", withRules(time.Hour, 45*time.Minute)),
			want: at(d, b, "09:00", "10:00")},
		{name: "step 20 with a 45-minute duration",
			req:  base(t, "Europe/Berlin", withRules(20*time.Minute, 45*time.Minute)),
			want: at(d, b, "09:00", "09:20", "09:40", "10:00")},
		{name: "duration longer than the step",
			req:  base(t, "Europe/Berlin", withRules(30*time.Minute, 90*time.Minute)),
			want: at(d, b, "09:00", "09:30")},
		{name: "range ending 24:00: the last slot ends at midnight",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				hours(t, "22:00-24:00")(r)
				r.Duration, r.Rules.Step = time.Hour, time.Hour
			}),
			want:     at(d, b, "22:00", "23:00"),
			wantEnds: map[string]string{d + "T23:00:00+02:00": "2026-06-11T00:00:00+02:00"}},
		{name: "several staff: sorted by start then staff id",
			req: base(t, "Europe/Berlin", func(r *slots.Request) {
				r.Staff = []slots.Staff{
					{ID: "b", Weekly: weekly(t, []string{"09:00-10:00"})},
					{ID: "a", Weekly: weekly(t, []string{"09:30-10:30"})},
				}
			}),
			want: []string{d + "T09:00:00+02:00 b", d + "T09:30:00+02:00 a", d + "T09:30:00+02:00 b", d + "T10:00:00+02:00 a"}},
		{name: "no staff: no slots",
			req:  base(t, "Europe/Berlin", func(r *slots.Request) { r.Staff = nil }),
			want: []string{}},
	}
}

func dstCases(t testing.TB) []computeCase {
	spring, fall := "2026-03-29", "2026-10-25" // Europe/Berlin
	nySpring, nyFall := "2026-03-08", "2026-11-01"
	day := func(zone, d string, edit func(*slots.Request)) slots.Request {
		return base(t, zone, func(r *slots.Request) {
			r.From, r.To = date(t, d), date(t, d)
			edit(r)
		})
	}
	step := func(step, dur time.Duration, specs ...string) func(*slots.Request) {
		return func(r *slots.Request) {
			hours(t, specs...)(r)
			r.Rules.Step, r.Duration = step, dur
		}
	}
	m30, h1 := 30*time.Minute, time.Hour
	return []computeCase{
		// Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST.
		{name: "Berlin spring forward: no slots at 02:00-02:59",
			req:  day("Europe/Berlin", spring, step(m30, m30, "00:00-06:00")),
			want: concat(at(spring, "+01:00", "00:00", "00:30", "01:00", "01:30"), at(spring, "+02:00", "03:00", "03:30", "04:00", "04:30", "05:00", "05:30"))},
		{name: "Berlin spring forward: step 15 skips the four missing starts",
			req:  day("Europe/Berlin", spring, step(15*time.Minute, 15*time.Minute, "01:00-04:00")),
			want: concat(at(spring, "+01:00", "01:00", "01:15", "01:30", "01:45"), at(spring, "+02:00", "03:00", "03:15", "03:30", "03:45"))},
		{name: "Berlin spring forward: an hour slot crossing the gap lasts one real hour",
			req:      day("Europe/Berlin", spring, step(m30, h1, "00:00-06:00")),
			want:     concat(at(spring, "+01:00", "00:00", "00:30", "01:00", "01:30"), at(spring, "+02:00", "03:00", "03:30", "04:00", "04:30", "05:00")),
			wantEnds: map[string]string{spring + "T01:30:00+01:00": spring + "T03:30:00+02:00", spring + "T01:00:00+01:00": spring + "T03:00:00+02:00"}},
		{name: "Berlin spring forward: a 45-minute step landing in the gap is dropped, not moved",
			req:  day("Europe/Berlin", spring, step(45*time.Minute, 45*time.Minute, "00:00-06:00")),
			want: concat(at(spring, "+01:00", "00:00", "00:45", "01:30"), at(spring, "+02:00", "03:00", "03:45", "04:30", "05:15"))},
		{name: "Berlin spring forward: a range starting in the gap opens at the transition",
			req:  day("Europe/Berlin", spring, step(m30, m30, "02:30-05:00")),
			want: at(spring, "+02:00", "03:00", "03:30", "04:00", "04:30")},
		{name: "Berlin spring forward: a range ending in the gap closes at the transition",
			req:  day("Europe/Berlin", spring, step(m30, m30, "00:00-02:30")),
			want: at(spring, "+01:00", "00:00", "00:30", "01:00", "01:30")},
		// Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET.
		{name: "Berlin fall back: each local time once, none doubled",
			req:  day("Europe/Berlin", fall, step(m30, m30, "00:00-06:00")),
			want: concat(at(fall, "+02:00", "00:00", "00:30", "01:00", "01:30", "02:00", "02:30"), at(fall, "+01:00", "03:00", "03:30", "04:00", "04:30", "05:00", "05:30"))},
		{name: "Berlin fall back: 90-minute slots crossing the repeated hour last 90 real minutes",
			req:      day("Europe/Berlin", fall, step(m30, 90*time.Minute, "00:00-06:00")),
			want:     concat(at(fall, "+02:00", "00:00", "00:30", "01:00", "01:30", "02:00", "02:30"), at(fall, "+01:00", "03:00", "03:30", "04:00", "04:30")),
			wantEnds: map[string]string{fall + "T02:30:00+02:00": fall + "T03:00:00+01:00", fall + "T02:00:00+02:00": fall + "T02:30:00+01:00"}},
		{name: "Berlin fall back: hourly range over the repeated hour yields one 02:00",
			req:      day("Europe/Berlin", fall, step(h1, h1, "02:00-04:00")),
			want:     concat(at(fall, "+02:00", "02:00"), at(fall, "+01:00", "03:00")),
			wantEnds: map[string]string{fall + "T02:00:00+02:00": fall + "T02:00:00+01:00"}},
		{name: "Berlin fall back: a range ending in the repeated hour closes at its first occurrence",
			req:  day("Europe/Berlin", fall, step(m30, m30, "00:00-02:30")),
			want: at(fall, "+02:00", "00:00", "00:30", "01:00", "01:30", "02:00")},
		// New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT.
		{name: "New York spring forward: no slot at 02:00",
			req:      day("America/New_York", nySpring, step(h1, h1, "00:00-06:00")),
			want:     concat(at(nySpring, "-05:00", "00:00", "01:00"), at(nySpring, "-04:00", "03:00", "04:00", "05:00")),
			wantEnds: map[string]string{nySpring + "T01:00:00-05:00": nySpring + "T03:00:00-04:00"}},
		{name: "New York spring forward: half-hour steps skip 02:00 and 02:30",
			req:  day("America/New_York", nySpring, step(m30, m30, "01:00-04:00")),
			want: concat(at(nySpring, "-05:00", "01:00", "01:30"), at(nySpring, "-04:00", "03:00", "03:30"))},
		// New York, 2026-11-01: 02:00 EDT falls back to 01:00 EST.
		{name: "New York fall back: 01:00 once, the hour slot lasts one real hour",
			req:      day("America/New_York", nyFall, step(h1, h1, "00:00-06:00")),
			want:     concat(at(nyFall, "-04:00", "00:00", "01:00"), at(nyFall, "-05:00", "02:00", "03:00", "04:00", "05:00")),
			wantEnds: map[string]string{nyFall + "T01:00:00-04:00": nyFall + "T01:00:00-05:00"}},
		{name: "New York fall back: the repeated half hours are offered once",
			req:  day("America/New_York", nyFall, step(m30, m30, "01:00-02:00")),
			want: at(nyFall, "-04:00", "01:00", "01:30")},
		{name: "OutZone spring-forward day is a 23-hour window",
			req: day("UTC", spring, func(r *slots.Request) {
				hours(t, "00:00-24:00")(r)
				r.Rules.Step, r.Duration = h1, h1
				r.OutZone = loc(t, "Europe/Berlin")
			}),
			want: concat(at(spring, "+01:00", "00:00", "01:00"), at(spring, "+02:00",
				"03:00", "04:00", "05:00", "06:00", "07:00", "08:00", "09:00", "10:00", "11:00", "12:00", "13:00",
				"14:00", "15:00", "16:00", "17:00", "18:00", "19:00", "20:00", "21:00", "22:00", "23:00"))},
	}
}

func zoneCases(t testing.TB) []computeCase {
	d := "2026-06-10"
	hourly := func(out string, specs ...string) func(*slots.Request) {
		return func(r *slots.Request) {
			hours(t, specs...)(r)
			r.Rules.Step, r.Duration = time.Hour, time.Hour
			r.OutZone = loc(t, out)
		}
	}
	return []computeCase{
		{name: "Kathmandu business, client in UTC: +05:45 shifts the starts",
			req:  base(t, "Asia/Kathmandu", hourly("UTC", "09:00-17:00")),
			want: at(d, "Z", "03:15", "04:15", "05:15", "06:15", "07:15", "08:15", "09:15", "10:15")},
		{name: "Kathmandu business, client in Berlin: the window spans two Kathmandu dates",
			// Berlin 06-10 is 06-10 03:45 .. 06-11 03:45 in Kathmandu: 03:00
			// on 06-10 is before it, 03:00 on 06-11 inside it.
			req:  base(t, "Asia/Kathmandu", hourly("Europe/Berlin", "03:00-09:00")),
			want: at(d, "+02:00", "00:15", "01:15", "02:15", "03:15", "04:15", "23:15")},
		{name: "Kolkata business, client in Kathmandu: +05:30 seen as +05:45",
			req: base(t, "Asia/Kolkata", func(r *slots.Request) {
				r.OutZone = loc(t, "Asia/Kathmandu")
			}),
			want: at(d, "+05:45", "09:15", "09:45", "10:15", "10:45", "11:15", "11:45")},
		{name: "Kolkata business, client in UTC: early-morning hours of the next Kolkata date",
			req:  base(t, "Asia/Kolkata", hourly("UTC", "00:00-03:00")),
			want: at(d, "Z", "18:30", "19:30", "20:30")},
		{name: "Berlin business, client in Kolkata: From/To are Kolkata dates",
			// Kolkata 06-10 is 06-09 20:30 .. 06-10 20:30 in Berlin.
			req:  base(t, "Europe/Berlin", hourly("Asia/Kolkata", "19:00-22:00", "08:00-09:00")),
			want: at(d, "+05:30", "00:30", "11:30", "22:30", "23:30")},
	}
}

func allCases(t testing.TB) map[string][]computeCase {
	return map[string][]computeCase{"ordinary": ordinaryCases(t), "dst": dstCases(t), "zones": zoneCases(t)}
}

func TestCompute(t *testing.T) {
	t.Parallel()
	for group, cases := range allCases(t) {
		for _, c := range cases {
			t.Run(group+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				runCase(t, c)
			})
		}
	}
}

func TestComputeErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		edit    func(*slots.Request)
		tooLong bool
	}{
		{name: "from after to is rejected", edit: func(r *slots.Request) { r.From = date(t, "2026-06-11") }},
		{name: "63 days are too long", tooLong: true, edit: func(r *slots.Request) {
			r.From, r.To = date(t, "2026-06-01"), date(t, "2026-08-02")
		}},
		{name: "zero step is rejected", edit: func(r *slots.Request) { r.Rules.Step = 0 }},
		{name: "sub-minute step is rejected", edit: func(r *slots.Request) { r.Rules.Step = time.Second }},
		{name: "zero duration is rejected", edit: func(r *slots.Request) { r.Duration = 0 }},
		{name: "negative buffer is rejected", edit: func(r *slots.Request) { r.BufferAfter = -time.Minute }},
		{name: "negative notice is rejected", edit: func(r *slots.Request) { r.Rules.MinNotice = -time.Minute }},
		{name: "missing zone is rejected", edit: func(r *slots.Request) { r.Zone = nil }},
		{name: "missing now is rejected", edit: func(r *slots.Request) { r.Now = time.Time{} }},
		{name: "impossible date is rejected", edit: func(r *slots.Request) { r.To = slots.Date{Year: 2026, Month: 6, Day: 31} }},
		{name: "empty range is rejected", edit: func(r *slots.Request) {
			r.Staff[0].Weekly = []slots.Weekly{{Weekday: time.Monday, Range: slots.Range{Start: 600, End: 600}}}
		}},
		{name: "range past 24:00 is rejected", edit: func(r *slots.Request) {
			r.Staff[0].Overrides = []slots.Override{{Date: r.From, Ranges: []slots.Range{{Start: 600, End: 1441}}}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req := base(t, "Europe/Berlin", c.edit)
			got, err := slots.Compute(req)
			if !errors.Is(err, slots.ErrInvalidRequest) {
				t.Fatalf("Compute = %v, %v; want ErrInvalidRequest", got, err)
			}
			if errors.Is(err, slots.ErrRangeTooLong) != c.tooLong {
				t.Errorf("errors.Is(%v, ErrRangeTooLong) != %v", err, c.tooLong)
			}
		})
	}
	t.Run("62 days are allowed", func(t *testing.T) {
		t.Parallel()
		req := base(t, "Europe/Berlin", func(r *slots.Request) { r.From, r.To = date(t, "2026-06-01"), date(t, "2026-08-01") })
		got, err := slots.Compute(req)
		if err != nil || len(got) != 62*6 {
			t.Fatalf("Compute = %d slots, %v; want %d, nil", len(got), err, 62*6)
		}
	})
}

func TestParse(t *testing.T) {
	t.Parallel()
	times := map[string]slots.LocalTime{"00:00": 0, "09:05": 545, "23:59": 1439, "24:00": 1440}
	for s, want := range times {
		if got, err := slots.ParseLocalTime(s); err != nil || got != want || got.String() != s {
			t.Errorf("ParseLocalTime(%q) = %v (%s), %v; want %v", s, int(got), got, err, int(want))
		}
	}
	for _, s := range []string{"", "9:00", "24:01", "12:60", "25:00", "ab:cd", "12-00", "12:000"} {
		if _, err := slots.ParseLocalTime(s); err == nil {
			t.Errorf("ParseLocalTime(%q) accepted", s)
		}
	}
	if d, err := slots.ParseDate("2026-12-24"); err != nil || d != (slots.Date{Year: 2026, Month: 12, Day: 24}) || d.String() != "2026-12-24" {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
	for _, s := range []string{"2026-02-30", "2026-1-05", "26-01-05", "2026-01-05T00:00:00Z", ""} {
		if _, err := slots.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
}

// ---- Fits ----

func staffByID(req slots.Request, id string) slots.Staff {
	for _, s := range req.Staff {
		if s.ID == id {
			return s
		}
	}
	panic("no staff " + id)
}

func TestFitsAcceptsEverySlot(t *testing.T) {
	t.Parallel()
	for group, cases := range allCases(t) {
		for _, c := range cases {
			t.Run(group+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				got, err := slots.Compute(c.req)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range got {
					if err := slots.Fits(c.req, staffByID(c.req, s.StaffID), s.Start); err != nil {
						t.Errorf("Fits(%s, %s) = %v, want nil", s.StaffID, s.Start, err)
					}
				}
			})
		}
	}
}

func TestFitsRejectsNonSlots(t *testing.T) {
	t.Parallel()
	d := "2026-06-10T"
	berlin := base(t, "Europe/Berlin", func(r *slots.Request) {
		hours(t, "09:00-17:00")(r)
		r.BufferBefore, r.BufferAfter = 15*time.Minute, 15*time.Minute
		r.Now = instant(t, "2026-06-01T10:00:00+02:00")
		r.Rules.MinNotice, r.Rules.Horizon = 2*time.Hour, 30*24*time.Hour
		r.Staff[0].Busy = []slots.Busy{{Start: instant(t, d+"11:45:00+02:00"), End: instant(t, d+"13:15:00+02:00")}}
		r.Staff[0].Overrides = []slots.Override{{Date: date(t, "2026-06-12"), Closed: true}}
	})
	ny := base(t, "America/New_York", hours(t, "00:00-06:00"))
	ny.Rules.Step, ny.Duration = time.Hour, time.Hour
	cases := []struct {
		name  string
		req   slots.Request
		start string
		want  error
	}{
		{"before opening is outside hours", berlin, d + "07:00:00+02:00", slots.ErrOutsideHours},
		{"at closing is outside hours", berlin, d + "17:00:00+02:00", slots.ErrOutsideHours},
		{"buffer before leaving the hours is outside hours", berlin, d + "09:00:00+02:00", slots.ErrOutsideHours},
		{"buffer after leaving the hours is outside hours", berlin, d + "16:30:00+02:00", slots.ErrOutsideHours},
		{"closed override date is outside hours", berlin, "2026-06-12T10:00:00+02:00", slots.ErrOutsideHours},
		{"quarter past is not on the step", berlin, d + "09:45:00+02:00", slots.ErrNotOnStep},
		{"seconds are not on the step", berlin, d + "10:00:30+02:00", slots.ErrNotOnStep},
		{"second occurrence of a repeated hour is not on the step", ny, "2026-11-01T01:00:00-05:00", slots.ErrNotOnStep},
		{"buffer touching the busy range from before overlaps", berlin, d + "11:30:00+02:00", slots.ErrOverlaps},
		{"start inside the busy range overlaps", berlin, d + "12:00:00+02:00", slots.ErrOverlaps},
		{"buffer touching the busy range from after overlaps", berlin, d + "13:00:00+02:00", slots.ErrOverlaps},
		{"start in the past is too soon", berlin, "2026-05-31T10:00:00+02:00", slots.ErrTooSoon},
		{"start inside the notice is too soon", berlin, "2026-06-01T11:30:00+02:00", slots.ErrTooSoon},
		{"start after the horizon is beyond it", berlin, "2026-07-02T10:00:00+02:00", slots.ErrBeyondHorizon},
		{"start in year 9999 is beyond the horizon", berlin, "9999-01-01T10:00:00+02:00", slots.ErrBeyondHorizon},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			start := instant(t, c.start)
			err := slots.Fits(c.req, c.req.Staff[0], start)
			if !errors.Is(err, c.want) {
				t.Fatalf("Fits(%s) = %v, want %v", c.start, err, c.want)
			}
			got, cerr := slots.Compute(c.req)
			if cerr != nil {
				t.Fatal(cerr)
			}
			for _, s := range got {
				if s.Start.Equal(start) {
					t.Fatalf("Compute offers %s, which Fits rejects", start)
				}
			}
		})
	}
	t.Run("invalid request is reported as such", func(t *testing.T) {
		t.Parallel()
		req := berlin
		req.Rules.Step = 0
		if err := slots.Fits(req, req.Staff[0], instant(t, d+"10:00:00+02:00")); !errors.Is(err, slots.ErrInvalidRequest) {
			t.Fatalf("Fits = %v, want ErrInvalidRequest", err)
		}
	})
}

// ---- properties ----

var propertyZones = []string{"Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "UTC", "Australia/Lord_Howe"}

// interesting dates: transitions in the zones above, plus ordinary days.
var propertyDates = []string{"2026-03-08", "2026-03-29", "2026-04-05", "2026-10-04", "2026-10-25", "2026-11-01", "2026-06-10", "2026-01-15"}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// randomRanges returns 0-2 disjoint, non-touching ranges on a 15-minute grid.
func randomRanges(r *rand.Rand) []slots.Range {
	n := 2 * r.IntN(3)
	points := map[int]bool{}
	for len(points) < n {
		points[15*r.IntN(97)] = true // 00:00 .. 24:00
	}
	var ps []int
	for p := range points {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	var out []slots.Range
	for i := 0; i+1 < len(ps); i += 2 {
		out = append(out, slots.Range{Start: slots.LocalTime(ps[i]), End: slots.LocalTime(ps[i+1])})
	}
	return out
}

// randomBusy returns sorted busy ranges (ends never decreasing) from two
// days before to two days after [from, to).
func randomBusy(r *rand.Rand, from, to time.Time) []slots.Busy {
	var out []slots.Busy
	end := from.Add(-48 * time.Hour)
	for start := end; start.Before(to.Add(48 * time.Hour)); start = start.Add(time.Duration(r.IntN(240)) * time.Minute) {
		e := start.Add(time.Duration(5+r.IntN(116)) * time.Minute)
		if e.Before(end) {
			e = end
		}
		end = e
		out = append(out, slots.Busy{Start: start, End: e})
	}
	return out
}

func randomRequest(t testing.TB, r *rand.Rand) slots.Request {
	zone := loc(t, pick(r, propertyZones))
	out := zone
	if r.IntN(2) == 0 {
		out = loc(t, pick(r, propertyZones))
	}
	from := date(t, pick(r, propertyDates)).AddDays(r.IntN(3) - 1)
	to := from.AddDays(r.IntN(4))
	minutes := func(xs ...int) time.Duration { return time.Duration(pick(r, xs)) * time.Minute }
	req := slots.Request{
		Zone: zone, OutZone: out, From: from, To: to,
		Duration: minutes(15, 30, 45, 60, 90), BufferBefore: minutes(0, 5, 10, 15), BufferAfter: minutes(0, 5, 10, 15),
		Rules: slots.Rules{Step: minutes(15, 20, 30, 45, 60), MinNotice: minutes(0, 60, 180), Horizon: minutes(0, 0, 3*24*60)},
	}
	windowStart := time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, out)
	windowEnd := time.Date(to.Year, to.Month, to.Day+1, 0, 0, 0, 0, out)
	req.Now = windowStart.Add(time.Duration(r.IntN(72)-48) * time.Hour)
	for i := range 1 + r.IntN(3) {
		s := slots.Staff{ID: fmt.Sprintf("s%d", (i*2+r.IntN(2)+3)%6)} // unique, in random order
		for wd := range time.Weekday(7) {
			for _, rg := range randomRanges(r) {
				s.Weekly = append(s.Weekly, slots.Weekly{Weekday: wd, Range: rg})
			}
		}
		for range r.IntN(3) {
			s.Overrides = append(s.Overrides, slots.Override{Date: from.AddDays(r.IntN(5) - 1), Closed: r.IntN(3) == 0, Ranges: randomRanges(r)})
		}
		if r.IntN(4) > 0 {
			s.Busy = randomBusy(r, windowStart, windowEnd)
		}
		req.Staff = append(req.Staff, s)
	}
	return req
}

// naive is t's wall clock read as UTC, for comparing local times.
func naive(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// rawHours is the hours of date d straight from the input (last override wins).
func rawHours(s slots.Staff, d slots.Date) []slots.Range {
	for i := len(s.Overrides) - 1; i >= 0; i-- {
		if o := s.Overrides[i]; o.Date == d {
			if o.Closed {
				return nil
			}
			return o.Ranges
		}
	}
	var out []slots.Range
	for _, w := range s.Weekly {
		if w.Weekday == time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Weekday() {
			out = append(out, w.Range)
		}
	}
	return out
}

// checkWithinHours checks that s starts on a step of one of its date's
// ranges and, away from transitions, that its blocked range lies inside it.
func checkWithinHours(t *testing.T, req slots.Request, st slots.Staff, s slots.Slot) {
	t.Helper()
	local := s.Start.In(req.Zone)
	d := slots.DateOf(local)
	tod := local.Hour()*60 + local.Minute()
	step := int(req.Rules.Step / time.Minute)
	for _, r := range rawHours(st, d) {
		if tod < int(r.Start) || tod >= int(r.End) || local.Second() != 0 || (tod-int(r.Start))%step != 0 {
			continue
		}
		zs, ze := local.ZoneBounds()
		if (!zs.IsZero() && zs.After(s.Start.Add(-30*time.Hour))) || (!ze.IsZero() && ze.Before(s.Start.Add(30*time.Hour))) {
			return // a transition nearby: covered by the hand-written DST tables
		}
		midnight := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		bs := naive(s.Start.Add(-req.BufferBefore).In(req.Zone))
		be := naive(s.End.Add(req.BufferAfter).In(req.Zone))
		if bs.Before(midnight.Add(time.Duration(r.Start)*time.Minute)) || be.After(midnight.Add(time.Duration(r.End)*time.Minute)) {
			t.Errorf("slot %s: blocked %s..%s leaves range %v on %s", s.Start, bs, be, r, d)
		}
		return
	}
	t.Errorf("slot %s (%s local) is on no step of the hours of %s: %v", s.Start, local, d, rawHours(st, d))
}

func checkInvariants(t *testing.T, req slots.Request, got []slots.Slot) {
	t.Helper()
	from := time.Date(req.From.Year, req.From.Month, req.From.Day, 0, 0, 0, 0, req.OutZone)
	to := time.Date(req.To.Year, req.To.Month, req.To.Day+1, 0, 0, 0, 0, req.OutZone)
	seenLocal := map[string]bool{}
	for i, s := range got {
		if i > 0 {
			p := got[i-1]
			if !(p.Start.Before(s.Start) || p.Start.Equal(s.Start) && p.StaffID < s.StaffID) {
				t.Errorf("not sorted and unique: %v then %v", p, s)
			}
		}
		if key := s.StaffID + " " + naive(s.Start.In(req.Zone)).String(); seenLocal[key] {
			t.Errorf("local start offered twice: %s", key)
		} else {
			seenLocal[key] = true
		}
		if s.Start.Before(from) || !s.Start.Before(to) || s.End.Sub(s.Start) != req.Duration || s.Start.Location() != req.OutZone {
			t.Errorf("slot %v: outside window %s..%s, wrong duration or zone", s, from, to)
		}
		if s.Start.Before(req.Now.Add(req.Rules.MinNotice)) || req.Rules.Horizon > 0 && s.Start.After(req.Now.Add(req.Rules.Horizon)) {
			t.Errorf("slot %v breaks notice/horizon (now %s)", s, req.Now)
		}
		st := staffByID(req, s.StaffID)
		bs, be := s.Start.Add(-req.BufferBefore), s.End.Add(req.BufferAfter)
		for _, b := range st.Busy {
			if b.Start.Before(be) && bs.Before(b.End) {
				t.Errorf("slot %v (blocked %s..%s) overlaps busy %s..%s", s, bs, be, b.Start, b.End)
			}
		}
		checkWithinHours(t, req, st, s)
	}
}

// checkAgreement checks Fits against Compute: every slot fits, and random
// 5-minute starts in the window fit exactly when Compute offers them.
func checkAgreement(t *testing.T, r *rand.Rand, req slots.Request, got []slots.Slot) {
	t.Helper()
	offered := map[string]bool{}
	for _, s := range got {
		offered[s.StaffID+" "+s.Start.UTC().String()] = true
		if err := slots.Fits(req, staffByID(req, s.StaffID), s.Start); err != nil {
			t.Errorf("Fits rejects offered slot %v: %v", s, err)
		}
	}
	from := time.Date(req.From.Year, req.From.Month, req.From.Day, 0, 0, 0, 0, req.OutZone)
	to := time.Date(req.To.Year, req.To.Month, req.To.Day+1, 0, 0, 0, 0, req.OutZone)
	n := int(to.Sub(from) / (5 * time.Minute))
	for range 150 {
		start := from.Add(time.Duration(r.IntN(n)) * 5 * time.Minute)
		st := pick(r, req.Staff)
		err := slots.Fits(req, st, start)
		if (err == nil) != offered[st.ID+" "+start.UTC().String()] {
			t.Errorf("Fits(%s, %s) = %v, but Compute offered it: %v", st.ID, start, err, offered[st.ID+" "+start.UTC().String()])
		}
	}
}

func TestComputeProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(4, 2026))
	total := 0
	for i := range 200 {
		req := randomRequest(t, r)
		got, err := slots.Compute(req)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		total += len(got)
		checkInvariants(t, req, got)
		checkAgreement(t, r, req, got)
		if t.Failed() {
			t.Fatalf("case %d failed: zone %s out %s %s..%s", i, req.Zone, req.OutZone, req.From, req.To)
		}
	}
	if total < 500 {
		t.Fatalf("only %d slots over all cases: the generator is too strict to test much", total)
	}
}

// ---- benchmark ----

func BenchmarkCompute(b *testing.B) {
	berlin := loc(b, "Europe/Berlin")
	from, to := date(b, "2026-06-01"), date(b, "2026-06-30")
	windowStart := time.Date(2026, 6, 1, 0, 0, 0, 0, berlin)
	inside := func() []slots.Busy { // 10,000 short bookings spread over the 30 days
		out := make([]slots.Busy, 10_000)
		for i := range out {
			s := windowStart.Add(time.Duration(i) * 30 * 24 * time.Hour / 10_000)
			out[i] = slots.Busy{Start: s, End: s.Add(time.Minute)}
		}
		return out
	}
	outside := func() []slots.Busy { // 10,000 bookings in the year before the window
		out := make([]slots.Busy, 10_000)
		for i := range out {
			s := windowStart.Add(-365 * 24 * time.Hour).Add(time.Duration(i) * 45 * time.Minute)
			out[i] = slots.Busy{Start: s, End: s.Add(30 * time.Minute)}
		}
		return out
	}
	busyKinds := []struct {
		name string
		make func() []slots.Busy
	}{{"busy=0", func() []slots.Busy { return nil }}, {"busy=10k-inside", inside}, {"busy=10k-outside", outside}}
	for _, staffN := range []int{1, 10} {
		for _, bk := range busyKinds {
			b.Run(fmt.Sprintf("days=30/staff=%d/%s", staffN, bk.name), func(b *testing.B) {
				req := slots.Request{
					Zone: berlin, From: from, To: to, Duration: 30 * time.Minute,
					BufferBefore: 5 * time.Minute, BufferAfter: 5 * time.Minute,
					Rules: slots.Rules{Step: 15 * time.Minute, Horizon: 90 * 24 * time.Hour},
					Now:   instant(b, "2026-05-01T00:00:00Z"),
				}
				for i := range staffN {
					req.Staff = append(req.Staff, slots.Staff{
						ID:     fmt.Sprintf("staff_%02d", i),
						Weekly: weekly(b, []string{"09:00-12:30", "13:30-18:00"}, 1, 2, 3, 4, 5, 6),
						Busy:   bk.make(),
					})
				}
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					got, err := slots.Compute(req)
					if err != nil {
						b.Fatal(err)
					}
					n = len(got)
				}
				b.ReportMetric(float64(n), "slots")
			})
		}
	}
}
