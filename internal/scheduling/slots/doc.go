// Package slots computes bookable time slots: given a business's zone, staff
// opening hours, existing bookings and booking rules, which starts can be
// booked. It is pure — no I/O, no clock (Now is an input), standard library
// only — so the scheduling service feeds it the result of one indexed range
// query (see BusyWindow) and uses Fits to validate a requested start.
//
// It does not belong here: loading data, HTTP, deciding which staff offer a
// service, or turning booking rules in minutes/days into durations.
//
// # Semantics
//
// Window. From and To are inclusive civil dates in OutZone (default Zone);
// the window is the instants [From 00:00, To+1 00:00) in OutZone. Only slots
// whose Start lies in the window are returned. To-From+1 must not exceed
// MaxDays.
//
// Hours. Opening hours are local times in Zone. Every Zone date that the
// window overlaps is walked (it may differ from the OutZone dates: a client in
// UTC asking for one day can touch two business dates). A date's hours are
// its override if it has one (Closed, or no ranges: closed; if a date has
// several overrides the last one wins), else the weekly ranges of its
// weekday. A date's ranges are sorted and overlapping or touching ranges are
// merged (09:00-12:00 plus 12:00-15:00 is 09:00-15:00).
//
// Starts. Starts step by Rules.Step in local wall-clock time from each
// range's start (09:00, 09:15, ...) while before the range's end. Each local
// start is mapped to an instant in Zone: a time that does not exist (the
// spring-forward gap) yields no slot; a time that occurs twice (fall-back)
// yields one slot, at its first occurrence. End = Start + Duration in real
// time, so a slot crossing a transition lasts exactly Duration.
//
// Range bounds. A range's start and end are mapped to the first instant at
// which the wall clock shows that time or later: the first occurrence of a
// repeated time, the transition instant for a time inside a gap; an end of
// 24:00 is the next date's 00:00. The blocked range [Start-BufferBefore,
// End+BufferAfter) must lie within [range start, range end).
//
// Rules. Start >= Now+MinNotice (which excludes the past, as MinNotice >= 0);
// Start <= Now+Horizon, where Horizon 0 means no horizon; Step >= MinStep.
//
// Busy. The blocked range must not overlap any Busy range [Start, End) of
// the staff member (touching is fine). Busy must be sorted by Start. Busy
// ranges are found by binary search, so the cost is proportional to the
// window and to the Busy entries inside it, never to those outside it. An
// entry that starts before the window but reaches into it is found by walking
// back from the window while entries still reach into it; so one that wholly
// contains an earlier entry ending before the window is missed. Blocked
// ranges of bookings that never overlap (as the booking store guarantees)
// always satisfy this; empty entries are ignored.
//
// Output. Slots are sorted by Start then StaffID (staff with equal IDs keep
// their input order), unique, with Start and End in OutZone.
//
// Instants are computed in Unix nanoseconds; dates and Now must lie in the
// years 1900..2199.
package slots
