// Package storetest is the conformance suite of scheduling.Store: the
// Store runs it on every engine (package sqlstore's tests), including the
// double-booking cases: overlapping inserts, many concurrent inserts for
// one slot, moves onto a taken range, and hold claims made at once.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/scheduling"
)

// Writers is how the engine under test runs write transactions; the
// concurrency cases need to know whether two can be open at once.
type Writers int

const (
	// ManyWriters: write transactions run at once (PostgreSQL), kept
	// apart by row locks.
	ManyWriters Writers = iota
	// OneWriter: one write transaction at a time (SQLite: one connection,
	// transactions begun IMMEDIATE); a second waits until the first ends.
	OneWriter
)

// Run runs the suite; newStore returns a Store on a fresh, migrated
// database for each subtest, so the subtests run in parallel.
func Run(t *testing.T, w Writers, newStore func(t *testing.T) scheduling.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s scheduling.Store)
	}{
		{"projections_round_trip_and_reset", testProjections},
		{"booking_round_trip", testBookingRoundTrip},
		{"overlap_refused_buffers_included", testOverlap},
		{"concurrent_inserts_for_one_slot_one_wins", testConcurrentInserts},
		{"update_refuses_a_move_onto_another_booking", testUpdateMove},
		{"busy_returns_only_the_window", testBusy},
		{"busy_ignoring_leaves_out_that_booking_only", testBusyIgnoring},
		{"business_bookings_filters", testBusinessBookings},
		{"idempotency_claim_once", testIdempotency},
		{"booking_by_token_hash", testBookingByTokenHash},
		{"client_bookings_paged_both_ways", testClientBookings},
		{"due_holds_claimed_once", func(t *testing.T, s scheduling.Store) { testHolds(t, s, w) }},
		{"setting_joins_business_service_staff_hours", testSetting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.f(t, newStore(t))
		})
	}
}

var t0 = time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

func testProjections(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	b := scheduling.Business{ID: "biz_1", OwnerID: "user_1", Name: "B", Subdomain: "bee", TimeZone: "Europe/Berlin", Rules: scheduling.Rules{MinNoticeMinutes: 60, HorizonDays: 30, SlotIntervalMinutes: 15}}
	o := scheduling.Offering{ID: "svc_1", BusinessID: "biz_1", Name: "Cut", DurationMinutes: 45, PriceMinor: 4990, Currency: "EUR",
		BufferBefore: 5, BufferAfter: 10, RequiresPayment: true, Rules: scheduling.RuleOverrides{SlotIntervalMinutes: ptr(30)}}
	st := scheduling.Staff{ID: "staff_1", BusinessID: "biz_1", Name: "Ada", ServiceIDs: []string{"svc_1"}}
	av := scheduling.Availability{StaffID: "staff_1", BusinessID: "biz_1", TimeZone: "Europe/Berlin",
		Weekly:    []event.WeeklyInterval{{Weekday: 1, Start: "09:00", End: "17:00"}},
		Overrides: []event.DateOverride{{Date: "2030-12-24", Closed: true}, {Date: "2030-12-31", Intervals: []event.TimeInterval{{Start: "10:00", End: "12:00"}}}}}
	must(t, s.PutBusiness(ctx, b))
	must(t, s.PutOffering(ctx, o))
	must(t, s.PutStaff(ctx, st))
	must(t, s.PutStaff(ctx, scheduling.Staff{ID: "staff_0", BusinessID: "biz_1", Name: "Owner", ServiceIDs: []string{}, Implicit: true}))
	must(t, s.PutAvailability(ctx, av))
	equal(t, "business", get(s.Business(ctx, "biz_1"))(t), b)
	equal(t, "by subdomain", get(s.BusinessBySubdomain(ctx, "bee"))(t), b)
	equal(t, "offering", get(s.Offering(ctx, "svc_1"))(t), o)
	equal(t, "staff member", get(s.StaffMember(ctx, "staff_1"))(t), st)
	equal(t, "staff ids", ids(get(s.Staff(ctx, "biz_1"))(t)), []string{"staff_0", "staff_1"})
	equal(t, "availability", get(s.Availability(ctx, []string{"staff_1", "staff_0"}))(t), map[string]scheduling.Availability{"staff_1": av})

	b.Name, b.Rules.HorizonDays = "B2", 60
	must(t, s.PutBusiness(ctx, b))
	equal(t, "business after put", get(s.Business(ctx, "biz_1"))(t), b)
	o.Rules = scheduling.RuleOverrides{}
	must(t, s.PutOffering(ctx, o))
	equal(t, "offering after put", get(s.Offering(ctx, "svc_1"))(t), o)
	must(t, s.DeleteOffering(ctx, "svc_1"))
	must(t, s.DeleteStaff(ctx, "staff_0"))
	for name, err := range map[string]error{
		"offering":      second(s.Offering(ctx, "svc_1")),
		"staff":         second(s.StaffMember(ctx, "staff_0")),
		"business":      second(s.Business(ctx, "biz_9")),
		"subdomain":     second(s.BusinessBySubdomain(ctx, "nope")),
		"delete twice":  s.DeleteOffering(ctx, "svc_1"),
		"booking":       second(s.Booking(ctx, "booking_9")),
		"idempotency":   second(s.Idempotency(ctx, "user:x", "k")),
		"update absent": second(s.UpdateBooking(ctx, "booking_9", func(*scheduling.Booking) error { return nil })),
	} {
		if !errors.Is(err, scheduling.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
	must(t, s.ResetProjections(ctx))
	if _, err := s.Business(ctx, "biz_1"); !errors.Is(err, scheduling.ErrNotFound) {
		t.Errorf("business after reset: %v", err)
	}
	equal(t, "staff after reset", len(get(s.Staff(ctx, "biz_1"))(t)), 0)
	equal(t, "availability after reset", len(get(s.Availability(ctx, []string{"staff_1"}))(t)), 0)
}

// booking returns a pending booking of staff starting at t0+offset for
// an hour, blocking 15 minutes before and after.
func booking(id, staff string, offset time.Duration) scheduling.Booking {
	start := t0.Add(offset)
	return scheduling.Booking{
		ID: id, BusinessID: "biz_1", ServiceID: "svc_1", StaffID: staff, ClientID: "user_c",
		Status: scheduling.StatusPending, Start: start, End: start.Add(time.Hour),
		BlockedStart: start.Add(-15 * time.Minute), BlockedEnd: start.Add(75 * time.Minute),
		TotalMinor: 5000, Currency: "EUR", RequiresPayment: true, HoldUntil: t0.Add(-time.Hour + offset),
		CorrelationID: "corr_" + id, CreatedAt: t0.Add(-2 * time.Hour), UpdatedAt: t0.Add(-2 * time.Hour),
	}
}

func testBookingRoundTrip(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	b := booking("booking_1", "staff_1", 0)
	b.ClientName, b.ClientEmail, b.ClientPhone, b.ManageTokenHash = "Guest", "g@example.com", "+49 1", scheduling.HashToken("tok")
	b.Note = "Second floor.\n\tRing twice — «bitte»."
	b.HoldUntil = t0.Add(-time.Hour).Add(123 * time.Microsecond)
	must(t, s.InsertBooking(ctx, b))
	equal(t, "booking", get(s.Booking(ctx, "booking_1"))(t), b)
	got, err := s.UpdateBooking(ctx, "booking_1", func(x *scheduling.Booking) error {
		x.Status, x.HoldUntil, x.CancelReason, x.CancelledBy = scheduling.StatusCancelled, time.Time{}, "r", "user_c"
		return nil
	})
	must(t, err)
	b.Status, b.HoldUntil, b.CancelReason, b.CancelledBy = scheduling.StatusCancelled, time.Time{}, "r", "user_c"
	equal(t, "updated", got, b)
	equal(t, "reloaded", get(s.Booking(ctx, "booking_1"))(t), b)
	boom := errors.New("boom")
	if _, err := s.UpdateBooking(ctx, "booking_1", func(x *scheduling.Booking) error { x.Status = scheduling.StatusPending; return boom }); !errors.Is(err, boom) {
		t.Errorf("UpdateBooking with a failing fn = %v", err)
	}
	equal(t, "unchanged by a failing fn", get(s.Booking(ctx, "booking_1"))(t), b)
}

func testOverlap(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	must(t, s.InsertBooking(ctx, booking("booking_a", "staff_1", 0)))
	// blocked ranges: a = [08:45, 10:15)
	cases := []struct {
		name   string
		b      scheduling.Booking
		wantOK bool
	}{
		{"same_start", booking("booking_b", "staff_1", 0), false},
		{"buffer_overlaps_buffer", booking("booking_c", "staff_1", 80*time.Minute), false}, // [10:05, …)
		{"touching_buffers", booking("booking_d", "staff_1", 90*time.Minute), true},        // [10:15, …)
		{"other_staff", booking("booking_e", "staff_2", 0), true},
		{"before_touching", booking("booking_f", "staff_1", -90*time.Minute), true}, // ends 08:45
	}
	for _, c := range cases {
		err := s.InsertBooking(ctx, c.b)
		if c.wantOK && err != nil {
			t.Errorf("%s: %v, want inserted", c.name, err)
		}
		if !c.wantOK && !errors.Is(err, scheduling.ErrSlotTaken) {
			t.Errorf("%s: %v, want ErrSlotTaken", c.name, err)
		}
	}
	if _, err := s.UpdateBooking(ctx, "booking_a", func(x *scheduling.Booking) error { x.Status = scheduling.StatusCancelled; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertBooking(ctx, booking("booking_g", "staff_1", 0)); err != nil {
		t.Errorf("a cancelled booking still blocks: %v", err)
	}
	// Reviving the cancelled one now would double-book.
	_, err := s.UpdateBooking(ctx, "booking_a", func(x *scheduling.Booking) error { x.Status = scheduling.StatusConfirmed; return nil })
	if !errors.Is(err, scheduling.ErrSlotTaken) {
		t.Errorf("reviving onto a taken range = %v, want ErrSlotTaken", err)
	}
	assertNoOverlap(t, s, "staff_1")
}

func testConcurrentInserts(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	const n = 30
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, taken := 0, 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Atomically(ctx, func(ctx context.Context) error {
				return s.InsertBooking(ctx, booking(fmt.Sprintf("booking_%02d", i), "staff_1", time.Duration(i%3)*10*time.Minute))
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, scheduling.ErrSlotTaken):
				taken++
			default:
				t.Errorf("insert %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || taken != n-1 {
		t.Errorf("won %d, taken %d; want 1 and %d", won, taken, n-1)
	}
	assertNoOverlap(t, s, "staff_1")
}

func testUpdateMove(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	must(t, s.InsertBooking(ctx, booking("booking_a", "staff_1", 0)))
	must(t, s.InsertBooking(ctx, booking("booking_b", "staff_1", 3*time.Hour)))
	move := func(id string, by time.Duration) error {
		_, err := s.UpdateBooking(ctx, id, func(x *scheduling.Booking) error {
			x.Start, x.End, x.BlockedStart, x.BlockedEnd = x.Start.Add(by), x.End.Add(by), x.BlockedStart.Add(by), x.BlockedEnd.Add(by)
			return nil
		})
		return err
	}
	if err := move("booking_a", 30*time.Minute); err != nil {
		t.Errorf("move overlapping its own old range: %v", err)
	}
	if err := move("booking_a", 2*time.Hour); !errors.Is(err, scheduling.ErrSlotTaken) {
		t.Errorf("move onto booking_b = %v, want ErrSlotTaken", err)
	}
	equal(t, "start after refused move", get(s.Booking(ctx, "booking_a"))(t).Start, t0.Add(30*time.Minute))
	assertNoOverlap(t, s, "staff_1")
}

func testBusy(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	for i, off := range []time.Duration{-72 * time.Hour, -2 * time.Hour, 0, 2 * time.Hour, 48 * time.Hour} {
		must(t, s.InsertBooking(ctx, booking(fmt.Sprintf("booking_%d", i), "staff_1", off)))
	}
	must(t, s.InsertBooking(ctx, booking("booking_x", "staff_2", 0)))
	must(t, s.InsertBooking(ctx, booking("booking_y", "staff_3", 0)))
	c := booking("booking_z", "staff_1", 4*time.Hour)
	c.Status = scheduling.StatusCancelled
	must(t, s.InsertBooking(ctx, c))
	// [t0-50m, t0+4h15m): the booking at -2h blocks until -45m.
	got := get(s.Busy(ctx, []string{"staff_1", "staff_2"}, t0.Add(-50*time.Minute), t0.Add(4*time.Hour+15*time.Minute)))(t)
	want := []scheduling.Busy{
		{StaffID: "staff_1", Start: t0.Add(-135 * time.Minute), End: t0.Add(-45 * time.Minute)},
		{StaffID: "staff_1", Start: t0.Add(-15 * time.Minute), End: t0.Add(75 * time.Minute)},
		{StaffID: "staff_2", Start: t0.Add(-15 * time.Minute), End: t0.Add(75 * time.Minute)},
		{StaffID: "staff_1", Start: t0.Add(105 * time.Minute), End: t0.Add(195 * time.Minute)},
	}
	equal(t, "busy", got, want)
	equal(t, "busy of nobody", len(get(s.Busy(ctx, []string{}, t0, t0.Add(time.Hour)))(t)), 0)
}

func testBusyIgnoring(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	must(t, s.InsertBooking(ctx, booking("booking_1", "staff_1", 0)))
	must(t, s.InsertBooking(ctx, booking("booking_2", "staff_1", 2*time.Hour)))
	must(t, s.InsertBooking(ctx, booking("booking_3", "staff_2", 0)))
	staff, from, to := []string{"staff_1", "staff_2"}, t0.Add(-time.Hour), t0.Add(4*time.Hour)
	first := scheduling.Busy{StaffID: "staff_1", Start: t0.Add(-15 * time.Minute), End: t0.Add(75 * time.Minute)}
	other := scheduling.Busy{StaffID: "staff_2", Start: t0.Add(-15 * time.Minute), End: t0.Add(75 * time.Minute)}
	second := scheduling.Busy{StaffID: "staff_1", Start: t0.Add(105 * time.Minute), End: t0.Add(195 * time.Minute)}
	equal(t, "busy", get(s.Busy(ctx, staff, from, to))(t), []scheduling.Busy{first, other, second})
	// The same range of another staff member stays busy: only the booking
	// named is left out.
	equal(t, "ignoring booking_1", get(s.BusyIgnoring(ctx, staff, from, to, "booking_1"))(t), []scheduling.Busy{other, second})
	equal(t, "ignoring booking_3", get(s.BusyIgnoring(ctx, staff, from, to, "booking_3"))(t), []scheduling.Busy{first, second})
	equal(t, "ignoring an unknown booking", get(s.BusyIgnoring(ctx, staff, from, to, "booking_9"))(t), []scheduling.Busy{first, other, second})
	// The plain read after the ignoring one still sees every booking (the
	// two are different statements).
	equal(t, "busy again", get(s.Busy(ctx, staff, from, to))(t), []scheduling.Busy{first, other, second})
	equal(t, "ignoring, nobody", len(get(s.BusyIgnoring(ctx, nil, from, to, "booking_1"))(t)), 0)
}

func testBusinessBookings(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	must(t, s.InsertBooking(ctx, booking("booking_1", "staff_1", 0)))
	must(t, s.InsertBooking(ctx, booking("booking_2", "staff_1", 3*time.Hour)))
	other := booking("booking_3", "staff_2", 0)
	other.BusinessID = "biz_2"
	must(t, s.InsertBooking(ctx, other))
	if _, err := s.UpdateBooking(ctx, "booking_2", func(x *scheduling.Booking) error { x.Status = scheduling.StatusConfirmed; return nil }); err != nil {
		t.Fatal(err)
	}
	equal(t, "all", bookingIDs(get(s.BusinessBookings(ctx, "biz_1", time.Time{}, time.Time{}, ""))(t)), []string{"booking_1", "booking_2"})
	equal(t, "from", bookingIDs(get(s.BusinessBookings(ctx, "biz_1", t0.Add(time.Minute), time.Time{}, ""))(t)), []string{"booking_2"})
	equal(t, "to", bookingIDs(get(s.BusinessBookings(ctx, "biz_1", time.Time{}, t0.Add(time.Minute), ""))(t)), []string{"booking_1"})
	equal(t, "status", bookingIDs(get(s.BusinessBookings(ctx, "biz_1", time.Time{}, time.Time{}, scheduling.StatusConfirmed))(t)), []string{"booking_2"})
}

func testBookingByTokenHash(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	a, b, none := booking("booking_a", "staff_1", 0), booking("booking_b", "staff_2", 0), booking("booking_n", "staff_3", 0)
	a.ManageTokenHash, b.ManageTokenHash = scheduling.HashToken("tok_a"), scheduling.HashToken("tok_b")
	for _, x := range []scheduling.Booking{a, b, none} { // none: a row from before every booking had a token
		must(t, s.InsertBooking(ctx, x))
	}
	equal(t, "a", get(s.BookingByTokenHash(ctx, a.ManageTokenHash))(t), a)
	equal(t, "b", get(s.BookingByTokenHash(ctx, b.ManageTokenHash))(t).ID, "booking_b")
	for name, hash := range map[string]string{"unknown": scheduling.HashToken("tok_x"), "empty": ""} {
		if _, err := s.BookingByTokenHash(ctx, hash); !errors.Is(err, scheduling.ErrNotFound) {
			t.Errorf("%s hash: err = %v, want ErrNotFound", name, err)
		}
	}
}

// testClientBookings pages through a client's upcoming and past bookings
// one and two at a time (so that a page ends between equal starts either
// way): the split is by end (a booking under way is upcoming),
// upcoming by start ascending, past descending, equal starts by id, every
// status, and no other client's booking.
func testClientBookings(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	now := t0.Add(30 * time.Minute) // booking_4 (t0 to t0+1h) is under way
	for _, b := range []scheduling.Booking{
		booking("booking_1", "staff_1", -48*time.Hour), booking("booking_2", "staff_1", -24*time.Hour),
		booking("booking_3", "staff_2", -24*time.Hour), booking("booking_4", "staff_1", 0),
		booking("booking_5", "staff_1", 24*time.Hour), booking("booking_6", "staff_2", 24*time.Hour),
		booking("booking_7", "staff_1", 48*time.Hour),
	} {
		must(t, s.InsertBooking(ctx, b))
	}
	other := booking("booking_8", "staff_3", 24*time.Hour)
	other.ClientID = "user_other"
	must(t, s.InsertBooking(ctx, other))
	if _, err := s.UpdateBooking(ctx, "booking_6", func(x *scheduling.Booking) error { x.Status = scheduling.StatusCancelled; return nil }); err != nil {
		t.Fatal(err)
	}
	walk := func(past bool, limit int) []string {
		q := scheduling.ClientPageQuery{ClientID: "user_c", Now: now, Past: past, Limit: limit}
		var all []string
		for range 10 {
			page := get(s.ClientBookings(ctx, q))(t)
			if len(page) > limit {
				t.Fatalf("page of %d, limit %d", len(page), limit)
			}
			all = append(all, bookingIDs(page)...)
			if len(page) < limit {
				return all
			}
			last := page[len(page)-1]
			q.After = scheduling.BookingPlace{Start: last.Start, ID: last.ID}
		}
		t.Fatalf("paging never ended: %v", all)
		return nil
	}
	for _, limit := range []int{1, 2} {
		equal(t, fmt.Sprint("upcoming by ", limit), walk(false, limit), []string{"booking_4", "booking_5", "booking_6", "booking_7"})
		equal(t, fmt.Sprint("past by ", limit), walk(true, limit), []string{"booking_3", "booking_2", "booking_1"})
	}
	equal(t, "another client", bookingIDs(get(s.ClientBookings(ctx, scheduling.ClientPageQuery{ClientID: "user_other", Now: now, Limit: 10}))(t)), []string{"booking_8"})
	equal(t, "nobody", len(get(s.ClientBookings(ctx, scheduling.ClientPageQuery{ClientID: "user_x", Now: now, Limit: 10}))(t)), 0)
}

func testIdempotency(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	k := scheduling.Idempotency{Scope: "user:u", Key: "k1", RequestHash: "h1", BookingID: "booking_1", CreatedAt: t0}
	prev, claimed, err := s.ClaimIdempotency(ctx, k)
	if err != nil || !claimed {
		t.Fatalf("first claim = %v, %v", claimed, err)
	}
	other := k
	other.RequestHash, other.BookingID = "h2", "booking_2"
	prev, claimed, err = s.ClaimIdempotency(ctx, other)
	if err != nil || claimed || !reflect.DeepEqual(prev, k) {
		t.Fatalf("second claim = %+v, %v, %v; want the first record", prev, claimed, err)
	}
	other.Scope = "guest:g@example.com"
	if _, claimed, err := s.ClaimIdempotency(ctx, other); err != nil || !claimed {
		t.Fatalf("same key in another scope = %v, %v", claimed, err)
	}
	equal(t, "lookup", get(s.Idempotency(ctx, "user:u", "k1"))(t), k)
	// A claim rolled back leaves nothing behind.
	rolled := scheduling.Idempotency{Scope: "user:u", Key: "k2", RequestHash: "h", BookingID: "b", CreatedAt: t0}
	boom := errors.New("boom")
	err = s.Atomically(ctx, func(ctx context.Context) error {
		if _, _, err := s.ClaimIdempotency(ctx, rolled); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, err := s.Idempotency(ctx, "user:u", "k2"); !errors.Is(err, scheduling.ErrNotFound) {
		t.Errorf("rolled-back claim: %v", err)
	}
}

// testHolds checks NextHold and that two claims of due holds made at once
// never share a row: with ManyWriters, both transactions stay open until
// both have claimed (a barrier), so the second claim must skip the rows the
// first holds locked rather than wait for them or take them too; with
// OneWriter the second transaction waits for the first to commit, and must
// then not get the rows the first expired.
func testHolds(t *testing.T, s scheduling.Store, w Writers) {
	ctx := context.Background()
	if _, ok, err := s.NextHold(ctx); ok || err != nil {
		t.Fatalf("NextHold on nothing = %v, %v", ok, err)
	}
	for i := range 6 {
		b := booking(fmt.Sprintf("booking_%d", i), "staff_1", time.Duration(i)*2*time.Hour)
		b.HoldUntil = t0.Add(time.Duration(i) * time.Minute)
		must(t, s.InsertBooking(ctx, b))
	}
	next, ok, err := s.NextHold(ctx)
	if err != nil || !ok || !next.Equal(t0) {
		t.Fatalf("NextHold = %v, %v, %v; want %v", next, ok, err, t0)
	}
	now := t0.Add(4 * time.Minute) // bookings 0..4 are due
	var mu sync.Mutex
	seen := map[string]int{}
	bar := newBarrier(2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if w == OneWriter {
				// This claimer's transaction cannot begin while the other's
				// is open: it arrives now, and waits behind the other.
				bar.arrive()
			}
			err := s.Atomically(ctx, func(ctx context.Context) error {
				due, err := s.ClaimDueHolds(ctx, now, 3)
				if w == ManyWriters {
					bar.arrive() // claimed, and holding the rows locked
				}
				if err != nil {
					return err
				}
				if !bar.wait() {
					t.Error("the claimers never both claimed: a claim waited for the rows the other holds (no SKIP LOCKED?)")
				}
				return expire(ctx, s, due, func(id string) {
					mu.Lock()
					defer mu.Unlock()
					seen[id]++
				})
			})
			if err != nil {
				t.Errorf("claim: %v", err)
			}
		}()
	}
	wg.Wait()
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s claimed %d times", id, n)
		}
	}
	if len(seen) != 5 {
		t.Errorf("the two claims took %d bookings, want all 5 due", len(seen))
	}
	// Whatever the claims left is claimed by the next.
	rest := get(s.ClaimDueHolds(ctx, now, 10))(t)
	if len(seen)+len(rest) != 5 {
		t.Errorf("claimed %d then %d, want 5 due in all", len(seen), len(rest))
	}
	for _, b := range rest {
		if seen[b.ID] > 0 {
			t.Errorf("%s claimed again after it expired", b.ID)
		}
	}
}

// expire expires the claimed bookings, telling done of each.
func expire(ctx context.Context, s scheduling.Store, due []scheduling.Booking, done func(id string)) error {
	for _, b := range due {
		if _, err := s.UpdateBooking(ctx, b.ID, func(x *scheduling.Booking) error {
			x.Status, x.HoldUntil = scheduling.StatusExpired, time.Time{}
			return nil
		}); err != nil {
			return err
		}
		done(b.ID)
	}
	return nil
}

// barrier lets n goroutines wait until all have arrived.
type barrier struct {
	left sync.WaitGroup
	all  chan struct{}
}

func newBarrier(n int) *barrier {
	b := &barrier{all: make(chan struct{})}
	b.left.Add(n)
	go func() {
		b.left.Wait()
		close(b.all)
	}()
	return b
}

func (b *barrier) arrive() { b.left.Done() }

// barrierTimeout bounds a wait at the barrier: a claimer that blocks on
// the other's locks would otherwise hang the test instead of failing it.
const barrierTimeout = 10 * time.Second

// wait waits until all have arrived; false when that took longer than
// barrierTimeout (the wait then ends, so that the test fails rather than
// hangs).
func (b *barrier) wait() bool {
	t := time.NewTimer(barrierTimeout)
	defer t.Stop()
	select {
	case <-b.all:
		return true
	case <-t.C:
		return false
	}
}

// assertNoOverlap fails when two pending or confirmed bookings of staff
// overlap (buffers included), read back through the store.
func assertNoOverlap(t *testing.T, s scheduling.Store, staff string) {
	t.Helper()
	busy := get(s.Busy(context.Background(), []string{staff}, t0.Add(-365*24*time.Hour), t0.Add(365*24*time.Hour)))(t)
	for i := 1; i < len(busy); i++ {
		if busy[i].Start.Before(busy[i-1].End) {
			t.Errorf("overlap: %+v and %+v", busy[i-1], busy[i])
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// get returns a value and, given the test, fails it on the error.
func get[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func second[T any](_ T, err error) error { return err }

func ids(staff []scheduling.Staff) []string {
	out := []string{}
	for _, s := range staff {
		out = append(out, s.ID)
	}
	return out
}

func bookingIDs(bs []scheduling.Booking) []string {
	out := []string{}
	for _, b := range bs {
		out = append(out, b.ID)
	}
	return out
}

// testSetting checks Setting against the separate reads: a business by
// id or subdomain, only its own service and staff, the staff by id with
// their hours, and ErrNotFound for a missing business.
func testSetting(t *testing.T, s scheduling.Store) {
	r := s
	ctx := context.Background()
	b := scheduling.Business{ID: "biz_1", OwnerID: "user_1", Name: "B", Subdomain: "bee", TimeZone: "Europe/Berlin", Rules: scheduling.Rules{MinNoticeMinutes: 60, HorizonDays: 30, SlotIntervalMinutes: 15}}
	o := scheduling.Offering{ID: "svc_1", BusinessID: "biz_1", Name: "Cut", DurationMinutes: 45, PriceMinor: 4990, Currency: "EUR",
		BufferBefore: 5, BufferAfter: 10, RequiresPayment: true, Rules: scheduling.RuleOverrides{SlotIntervalMinutes: ptr(30)}}
	ada := scheduling.Staff{ID: "staff_2", BusinessID: "biz_1", Name: "Ada", ServiceIDs: []string{"svc_1"}}
	owner := scheduling.Staff{ID: "staff_1", BusinessID: "biz_1", Name: "Owner", ServiceIDs: []string{}, Implicit: true}
	av := scheduling.Availability{StaffID: "staff_2", BusinessID: "biz_1", TimeZone: "Europe/Berlin",
		Weekly:    []event.WeeklyInterval{{Weekday: 1, Start: "09:00", End: "17:00"}},
		Overrides: []event.DateOverride{{Date: "2030-12-24", Closed: true}}}
	must(t, s.PutBusiness(ctx, b))
	must(t, s.PutOffering(ctx, o))
	must(t, s.PutStaff(ctx, ada))
	must(t, s.PutStaff(ctx, owner))
	must(t, s.PutAvailability(ctx, av))
	other := scheduling.Business{ID: "biz_2", OwnerID: "user_2", Name: "C", Subdomain: "cee", TimeZone: "UTC", Rules: b.Rules}
	must(t, s.PutBusiness(ctx, other))
	must(t, s.PutOffering(ctx, scheduling.Offering{ID: "svc_2", BusinessID: "biz_2", Name: "X", DurationMinutes: 30, Currency: "EUR"}))
	must(t, s.PutStaff(ctx, scheduling.Staff{ID: "staff_3", BusinessID: "biz_2", Name: "Z", ServiceIDs: []string{"svc_2"}}))

	all := scheduling.Setting{Business: b, Offering: o, Staff: []scheduling.Staff{owner, ada}, Hours: map[string]scheduling.Availability{"staff_2": av}}
	equal(t, "by id", get(r.Setting(ctx, scheduling.SettingQuery{BusinessID: "biz_1", ServiceID: "svc_1"}))(t), all)
	equal(t, "by subdomain", get(r.Setting(ctx, scheduling.SettingQuery{Subdomain: "bee", ServiceID: "svc_1"}))(t), all)
	one := scheduling.Setting{Business: b, Offering: o, Staff: []scheduling.Staff{ada}, Hours: map[string]scheduling.Availability{"staff_2": av}}
	equal(t, "one staff member", get(r.Setting(ctx, scheduling.SettingQuery{BusinessID: "biz_1", ServiceID: "svc_1", StaffID: "staff_2"}))(t), one)
	noHours := get(r.Setting(ctx, scheduling.SettingQuery{BusinessID: "biz_1", ServiceID: "svc_1", StaffID: "staff_1"}))(t)
	equal(t, "member without hours", noHours.Staff, []scheduling.Staff{owner})
	equal(t, "member without hours: hours", len(noHours.Hours), 0)
	foreign := get(r.Setting(ctx, scheduling.SettingQuery{BusinessID: "biz_1", ServiceID: "svc_2", StaffID: "staff_3"}))(t)
	equal(t, "another business's service and staff", foreign, scheduling.Setting{Business: b})
	equal(t, "other business", get(r.Setting(ctx, scheduling.SettingQuery{Subdomain: "cee", ServiceID: "svc_1"}))(t).Offering, scheduling.Offering{})
	if _, err := r.Setting(ctx, scheduling.SettingQuery{BusinessID: "biz_9", ServiceID: "svc_1"}); !errors.Is(err, scheduling.ErrNotFound) {
		t.Errorf("missing business: %v, want ErrNotFound", err)
	}
}
