package scheduling_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestSlotsIgnoringABooking: the search for a booking's new time
// (SlotQuery.IgnoreBookingID) offers the times that overlap where the
// booking is now — what Reschedule accepts — and only that booking's
// range stops blocking: a 60-minute booking at 10:00 can move to 10:30,
// not onto another booking.
func TestSlotsIgnoringABooking(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		t.Parallel()
		svc, store := newServiceAndStore(t, engine)
		ctx := context.Background()
		if err := store.PutOffering(ctx, scheduling.Offering{ID: "svc_60", BusinessID: "biz_1", Name: "Hour", DurationMinutes: 60, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		book := func(start, email string) scheduling.Created {
			t.Helper()
			c, err := svc.CreateBooking(ctx, scheduling.Actor{}, scheduling.BookingInput{BusinessID: "biz_1", ServiceID: "svc_60",
				StartTime: start, Client: &scheduling.Guest{Name: "Grace", Email: email}})
			if err != nil {
				t.Fatalf("book %s: %v", start, err)
			}
			return c
		}
		// Tuesday 8 January 2030 in Berlin (UTC+1): 10:00 and 12:00.
		mine := book("2030-01-08T09:00:00Z", "mine@example.com")
		book("2030-01-08T11:00:00Z", "other@example.com")
		starts := func(ignore string) []string {
			t.Helper()
			ans, err := svc.Slots(ctx, scheduling.SlotQuery{Subdomain: "bee", ServiceID: "svc_60", From: "2030-01-08", To: "2030-01-08",
				TimeZone: "UTC", IgnoreBookingID: ignore})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range ans.Slots {
				out = append(out, s.Start.UTC().Format("15:04"))
			}
			return out
		}
		plain, moving := starts(""), starts(mine.Booking.ID)
		for _, at := range []string{"08:30", "09:00", "09:30"} { // 09:30, 10:00, 10:30 Berlin
			if slices.Contains(plain, at) {
				t.Errorf("the public search offers %s UTC, which overlaps the booking: %v", at, plain)
			}
			if !slices.Contains(moving, at) {
				t.Errorf("the search for the booking's new time lacks %s UTC: %v", at, moving)
			}
		}
		for _, at := range []string{"10:30", "11:00", "11:30"} { // overlap the other booking
			if slices.Contains(moving, at) {
				t.Errorf("ignoring one booking frees another's time %s UTC: %v", at, moving)
			}
		}
		moved, err := svc.Reschedule(ctx, scheduling.Actor{ManageToken: mine.ManageToken}, mine.Booking.ID, "2030-01-08T09:30:00Z")
		if err != nil {
			t.Fatalf("move to 10:30: %v", err)
		}
		if want := time.Date(2030, 1, 8, 9, 30, 0, 0, time.UTC); !moved.Start.Equal(want) || !moved.End.Equal(want.Add(time.Hour)) {
			t.Errorf("moved to %v–%v, want %v for an hour", moved.Start, moved.End, want)
		}
		if after := starts(""); slices.Contains(after, "09:30") || !slices.Contains(after, "08:00") {
			t.Errorf("after the move the public search offers %v", after)
		}
	})
}
