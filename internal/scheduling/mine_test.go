package scheduling_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/managetoken"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/scheduling/sqlstore"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// now is the tests' clock: Monday 2030-01-07 08:00 in Berlin.
var now = time.Date(2030, 1, 7, 7, 0, 0, 0, time.UTC)

var linkKey = []byte("0123456789abcdef0123456789abcdef")

// newService returns a Service on a fresh database of engine, with the
// real outbox, and a business open Monday–Friday 09:00–17:00 Berlin with
// one free 30-minute service "svc_1" performed by "staff_1".
func newService(t *testing.T, engine sqldb.Engine) *scheduling.Service {
	t.Helper()
	svc, _ := newServiceAndStore(t, engine)
	return svc
}

// newServiceAndStore is newService, with its store (for more projections).
func newServiceAndStore(t *testing.T, engine sqldb.Engine) (*scheduling.Service, scheduling.Store) {
	t.Helper()
	ctx := context.Background()
	db := sqldbtest.Open(t, engine)
	if err := stores.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, "scheduling", sqlstore.Migrations(engine)); err != nil {
		t.Fatal(err)
	}
	store := sqlstore.New(db)
	clock := func() time.Time { return now }
	var weekly []event.WeeklyInterval
	for d := 1; d <= 5; d++ {
		weekly = append(weekly, event.WeeklyInterval{Weekday: d, Start: "09:00", End: "17:00"})
	}
	for _, err := range []error{
		store.PutBusiness(ctx, scheduling.Business{ID: "biz_1", OwnerID: "user_owner", Name: "B", Subdomain: "bee",
			TimeZone: "Europe/Berlin", Rules: scheduling.DefaultRules()}),
		store.PutOffering(ctx, scheduling.Offering{ID: "svc_1", BusinessID: "biz_1", Name: "Intro", DurationMinutes: 30, Currency: "EUR"}),
		store.PutStaff(ctx, scheduling.Staff{ID: "staff_1", BusinessID: "biz_1", Name: "Ada", Implicit: true}),
		store.PutAvailability(ctx, scheduling.Availability{StaffID: "staff_1", BusinessID: "biz_1", TimeZone: "Europe/Berlin", Weekly: weekly}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	outbox := eventbus.NewOutbox(db, stores.Outbox(db), "scheduling", catalog.Default(), eventbus.OutboxOptions{Clock: clock})
	return scheduling.NewService(store, outbox, scheduling.Options{Now: clock, LinkKey: linkKey}), store
}

// TestBookingByToken: every booking's manage token, a guest's and a
// registered client's, is derived from its id with the link key and finds
// the booking; an unknown or empty token is a 404 matching ErrNotFound.
func TestBookingByToken(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		t.Parallel()
		svc := newService(t, engine)
		ctx := context.Background()
		in := scheduling.BookingInput{BusinessID: "biz_1", ServiceID: "svc_1", StartTime: "2030-01-08T08:00:00Z",
			Client: &scheduling.Guest{Name: "Grace", Email: "grace@example.com"}}
		guest, err := svc.CreateBooking(ctx, scheduling.Actor{}, in)
		if err != nil {
			t.Fatal(err)
		}
		in.Client, in.StartTime = nil, "2030-01-08T09:00:00Z"
		user, err := svc.CreateBooking(ctx, scheduling.Actor{UserID: "user_c", Role: scheduling.RoleClient}, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []scheduling.Created{guest, user} {
			if want := managetoken.For(linkKey, c.Booking.ID); c.ManageToken != want {
				t.Errorf("%s: manage token %q, want the derived %q", c.Booking.ID, c.ManageToken, want)
			}
			b, err := svc.BookingByToken(ctx, c.ManageToken)
			if err != nil || b.ID != c.Booking.ID {
				t.Errorf("BookingByToken(token of %s) = %s, %v", c.Booking.ID, b.ID, err)
			}
		}
		if !guest.Booking.IsGuest() || user.Booking.IsGuest() {
			t.Errorf("IsGuest: guest booking %v, registered client's %v", guest.Booking.IsGuest(), user.Booking.IsGuest())
		}
		for name, token := range map[string]string{"unknown": managetoken.For(linkKey, "booking_x"), "empty": "", "other key": managetoken.For([]byte("another key of thirty-two bytes!"), guest.Booking.ID)} {
			_, err := svc.BookingByToken(ctx, token)
			if !errors.Is(err, scheduling.ErrNotFound) || apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("%s token: err = %v, want a 404 matching ErrNotFound", name, err)
			}
		}
	})
}

// TestClientBookingsQuery: the page parameters are checked before any
// read; a registered client's list holds their booking.
func TestClientBookingsQuery(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		t.Parallel()
		svc := newService(t, engine)
		ctx := context.Background()
		carl := scheduling.Actor{UserID: "user_c", Role: scheduling.RoleClient}
		c, err := svc.CreateBooking(ctx, carl, scheduling.BookingInput{BusinessID: "biz_1", ServiceID: "svc_1", StartTime: "2030-01-08T08:00:00Z"})
		if err != nil {
			t.Fatal(err)
		}
		page, err := svc.ClientBookings(ctx, carl, scheduling.ClientListQuery{})
		if err != nil || len(page.Bookings) != 1 || page.Bookings[0].ID != c.Booking.ID || page.NextCursor != "" {
			t.Errorf("list = %+v, %v", page, err)
		}
		for _, bad := range []struct {
			q     scheduling.ClientListQuery
			field string
		}{
			{scheduling.ClientListQuery{When: "later"}, "when"},
			{scheduling.ClientListQuery{Limit: -1}, "limit"},
			{scheduling.ClientListQuery{Limit: scheduling.MaxPageSize + 1}, "limit"},
			{scheduling.ClientListQuery{Cursor: "not-base64!"}, "cursor"},
		} {
			_, err := svc.ClientBookings(ctx, carl, bad.q)
			if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || ae.Field != bad.field {
				t.Errorf("%+v: err = %v, want invalid %s", bad.q, err, bad.field)
			}
		}
		if _, err := svc.ClientBookings(ctx, scheduling.Actor{ManageToken: c.ManageToken}, scheduling.ClientListQuery{}); apperr.CodeOf(err) != apperr.Unauthenticated {
			t.Errorf("a manage token alone: err = %v, want unauthenticated", err)
		}
	})
}
