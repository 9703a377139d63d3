// Package storetest is the conformance suite of business.Store: the
// sqlstore tests run it on every engine, including the concurrency case of
// businesses racing for one subdomain.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/event"
)

// Run runs the suite; newStore returns a Store on a fresh, migrated
// database for each subtest, which is why the subtests run in parallel.
func Run(t *testing.T, newStore func(t *testing.T) business.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s business.Store)
	}{
		{"business_round_trip", testBusinessRoundTrip},
		{"missing_rows_are_not_found", testNotFound},
		{"duplicate_subdomain_refused", testDuplicateSubdomain},
		{"concurrent_duplicate_subdomain_one_wins", testConcurrentSubdomain},
		{"update_business_applies_fn_or_nothing", testUpdateBusiness},
		{"offering_round_trip_update_delete", testOfferings},
		{"staff_and_availability", testStaffAndAvailability},
		{"owners_upsert", testOwners},
		{"lock_owner_creates_a_placeholder_once", testLockOwner},
		{"atomically_rolls_back_everything", testAtomically},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.f(t, newStore(t))
		})
	}
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 123456000, time.UTC)

func ptr[T any](v T) *T { return &v }

func newBusiness(id, owner, sub string, at time.Time) business.Business {
	return business.Business{
		ID: id, OwnerID: owner, Name: "Name " + id, Subdomain: sub, TimeZone: "Europe/Berlin",
		Rules: business.DefaultRules(), CreatedAt: at, UpdatedAt: at,
	}
}

func mustCreate(t *testing.T, s business.Store, b business.Business) {
	t.Helper()
	if err := s.CreateBusiness(context.Background(), b); err != nil {
		t.Fatalf("create business %s: %v", b.ID, err)
	}
}

func testBusinessRoundTrip(t *testing.T, s business.Store) {
	ctx := context.Background()
	a := newBusiness("biz_a", "user_1", "alpha", t0)
	a.Rules = business.Rules{MinNoticeMinutes: 60, HorizonDays: 30, SlotIntervalMinutes: 10}
	a.Description = "Cuts & colour.\n\tWalk-ins <welcome> — «ça va» 🙂"
	a.Address = "Hauptstraße 1\n10115 Berlin"
	a.EmbedOrigins = []string{"https://www.example.com", "http://localhost:3000"}
	mustCreate(t, s, a)
	mustCreate(t, s, newBusiness("biz_b", "user_2", "beta", t0.Add(time.Second)))
	mustCreate(t, s, newBusiness("biz_c", "user_1", "gamma", t0.Add(2*time.Second)))
	got, err := s.Business(ctx, "biz_a")
	if err != nil || !reflect.DeepEqual(got, a) {
		t.Fatalf("Business = %+v, %v; want %+v", got, err, a)
	}
	if got, err := s.BusinessBySubdomain(ctx, "alpha"); err != nil || !reflect.DeepEqual(got, a) {
		t.Fatalf("BusinessBySubdomain = %+v, %v; want %+v", got, err, a)
	}
	// A business without a profile reads back with an empty one (nil list).
	if got, err := s.Business(ctx, "biz_b"); err != nil || got.Description != "" || got.Address != "" || got.EmbedOrigins != nil {
		t.Fatalf("Business(biz_b) = %+v, %v; want no profile", got, err)
	}
	if list, err := s.Businesses(ctx, "user_1"); err != nil || len(list) != 2 || !reflect.DeepEqual(list[0], a) {
		t.Fatalf("Businesses(user_1) = %+v, %v; want %+v first", list, err, a)
	}
	for owner, want := range map[string][]string{
		"user_1": {"biz_a", "biz_c"}, "": {"biz_a", "biz_b", "biz_c"}, "user_9": {},
	} {
		got, err := ids(s.Businesses(ctx, owner))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Businesses(%q) = %v, %v; want %v", owner, got, err, want)
		}
	}
}

func ids(bs []business.Business, err error) ([]string, error) {
	out := []string{}
	for _, b := range bs {
		out = append(out, b.ID)
	}
	return out, err
}

func testNotFound(t *testing.T, s business.Store) {
	ctx := context.Background()
	mustCreate(t, s, newBusiness("biz_a", "user_1", "alpha", t0))
	checks := map[string]error{}
	_, checks["Business"] = s.Business(ctx, "biz_x")
	_, checks["BusinessBySubdomain"] = s.BusinessBySubdomain(ctx, "nope")
	_, checks["Offering"] = s.Offering(ctx, "biz_a", "svc_x")
	_, checks["StaffMember"] = s.StaffMember(ctx, "biz_a", "staff_x")
	_, checks["Availability"] = s.Availability(ctx, "biz_a", "staff_x")
	_, checks["Owner"] = s.Owner(ctx, "user_x")
	_, checks["UpdateBusiness"] = s.UpdateBusiness(ctx, "biz_x", func(*business.Business) error { return nil })
	_, checks["UpdateOffering"] = s.UpdateOffering(ctx, "biz_a", "svc_x", func(*business.Offering) error { return nil })
	checks["DeleteOffering"] = s.DeleteOffering(ctx, "biz_a", "svc_x")
	checks["DeleteStaff"] = s.DeleteStaff(ctx, "biz_a", "staff_x")
	checks["UpdateStaff"] = s.UpdateStaff(ctx, business.Staff{ID: "staff_x", BusinessID: "biz_a", Name: "x", UpdatedAt: t0})
	for name, err := range checks {
		if !errors.Is(err, business.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
}

func testDuplicateSubdomain(t *testing.T, s business.Store) {
	ctx := context.Background()
	mustCreate(t, s, newBusiness("biz_a", "user_1", "alpha", t0))
	mustCreate(t, s, newBusiness("biz_b", "user_1", "beta", t0))
	if err := s.CreateBusiness(ctx, newBusiness("biz_c", "user_2", "alpha", t0)); !errors.Is(err, business.ErrDuplicateSubdomain) {
		t.Fatalf("second alpha: err = %v, want ErrDuplicateSubdomain", err)
	}
	_, err := s.UpdateBusiness(ctx, "biz_b", func(b *business.Business) error { b.Subdomain = "alpha"; return nil })
	if !errors.Is(err, business.ErrDuplicateSubdomain) {
		t.Fatalf("rename to alpha: err = %v, want ErrDuplicateSubdomain", err)
	}
	if b, _ := s.Business(ctx, "biz_b"); b.Subdomain != "beta" {
		t.Fatalf("biz_b subdomain = %q after a refused rename", b.Subdomain)
	}
}

func testConcurrentSubdomain(t *testing.T, s business.Store) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBusiness(fmt.Sprintf("biz_%d", i), fmt.Sprintf("user_%d", i), "contested", t0)
			errs[i] = s.Atomically(context.Background(), func(ctx context.Context) error { return s.CreateBusiness(ctx, b) })
		}()
	}
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, business.ErrDuplicateSubdomain):
			t.Errorf("racer %d: err = %v, want nil or ErrDuplicateSubdomain", i, err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d racers won the subdomain, want exactly 1", wins)
	}
	all, err := s.Businesses(context.Background(), "")
	if err != nil || len(all) != 1 {
		t.Fatalf("businesses after the race = %d, %v; want 1", len(all), err)
	}
}

func testUpdateBusiness(t *testing.T, s business.Store) {
	ctx := context.Background()
	mustCreate(t, s, newBusiness("biz_a", "user_1", "alpha", t0))
	later := t0.Add(time.Hour)
	got, err := s.UpdateBusiness(ctx, "biz_a", func(b *business.Business) error {
		b.Name, b.TimeZone, b.Rules.HorizonDays, b.UpdatedAt = "Renamed", "Asia/Tokyo", 7, later
		return nil
	})
	if err != nil || got.Name != "Renamed" {
		t.Fatalf("UpdateBusiness = %+v, %v", got, err)
	}
	stored, _ := s.Business(ctx, "biz_a")
	if !reflect.DeepEqual(stored, got) || stored.Rules.HorizonDays != 7 || !stored.UpdatedAt.Equal(later) {
		t.Fatalf("stored %+v, want %+v", stored, got)
	}
	testUpdateProfile(t, s)
	boom := errors.New("boom")
	_, err = s.UpdateBusiness(ctx, "biz_a", func(b *business.Business) error {
		b.Name, b.Address, b.EmbedOrigins = "Lost", "Lost", []string{"https://lost.example"}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("fn error = %v, want boom", err)
	}
	if b, _ := s.Business(ctx, "biz_a"); b.Name != "Renamed" || b.Address != "" || b.EmbedOrigins != nil {
		t.Fatalf("business = %+v after a failed update", b)
	}
}

// testUpdateProfile sets biz_a's profile, then clears it again.
func testUpdateProfile(t *testing.T, s business.Store) {
	t.Helper()
	ctx := context.Background()
	set := func(desc, addr string, origins []string) business.Business {
		t.Helper()
		got, err := s.UpdateBusiness(ctx, "biz_a", func(b *business.Business) error {
			b.Description, b.Address, b.EmbedOrigins = desc, addr, origins
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateBusiness: %v", err)
		}
		stored, err := s.Business(ctx, "biz_a")
		if err != nil || !reflect.DeepEqual(stored, got) {
			t.Fatalf("stored %+v, %v; want %+v", stored, err, got)
		}
		return stored
	}
	if b := set("About us", "1 Main St\nSpringfield", []string{"https://a.example", "https://b.example:8443"}); len(b.EmbedOrigins) != 2 || b.Address != "1 Main St\nSpringfield" {
		t.Fatalf("profile not stored: %+v", b)
	}
	if b := set("", "", nil); b.Description != "" || b.Address != "" || b.EmbedOrigins != nil {
		t.Fatalf("profile not cleared: %+v", b)
	}
}

func testOfferings(t *testing.T, s business.Store) {
	ctx := context.Background()
	mustCreate(t, s, newBusiness("biz_a", "user_1", "alpha", t0))
	mustCreate(t, s, newBusiness("biz_b", "user_2", "beta", t0))
	o := business.Offering{
		ID: "svc_1", BusinessID: "biz_a", Name: "Cut", Description: "A cut", DurationMinutes: 30,
		PriceMinor: 1_000_000_000_000_00, Currency: "EUR", BufferBefore: 5, BufferAfter: 10, RequiresPayment: true,
		Rules: business.RuleOverrides{MinNoticeMinutes: ptr(120)}, CreatedAt: t0, UpdatedAt: t0,
	}
	if err := s.CreateOffering(ctx, o); err != nil {
		t.Fatal(err)
	}
	free := business.Offering{ID: "svc_2", BusinessID: "biz_a", Name: "Chat", DurationMinutes: 15, Currency: "JPY", CreatedAt: t0.Add(time.Second), UpdatedAt: t0.Add(time.Second)}
	if err := s.CreateOffering(ctx, free); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Offering(ctx, "biz_a", "svc_1"); err != nil || !reflect.DeepEqual(got, o) {
		t.Fatalf("Offering = %+v, %v; want %+v", got, err, o)
	}
	if _, err := s.Offering(ctx, "biz_b", "svc_1"); !errors.Is(err, business.ErrNotFound) {
		t.Fatalf("another business's service: err = %v, want ErrNotFound", err)
	}
	list, err := s.Offerings(ctx, "biz_a")
	if err != nil || len(list) != 2 || list[0].ID != "svc_1" || list[1].ID != "svc_2" || list[1].Rules.MinNoticeMinutes != nil {
		t.Fatalf("Offerings = %+v, %v", list, err)
	}
	got, err := s.UpdateOffering(ctx, "biz_a", "svc_1", func(o *business.Offering) error {
		o.PriceMinor, o.Rules = 4999, business.RuleOverrides{HorizonDays: ptr(14), SlotIntervalMinutes: ptr(30)}
		return nil
	})
	if err != nil || got.PriceMinor != 4999 {
		t.Fatalf("UpdateOffering = %+v, %v", got, err)
	}
	if stored, _ := s.Offering(ctx, "biz_a", "svc_1"); !reflect.DeepEqual(stored, got) {
		t.Fatalf("stored %+v, want %+v", stored, got)
	}
	if err := s.DeleteOffering(ctx, "biz_b", "svc_1"); !errors.Is(err, business.ErrNotFound) {
		t.Fatalf("delete through another business: %v", err)
	}
	if err := s.DeleteOffering(ctx, "biz_a", "svc_1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Offering(ctx, "biz_a", "svc_1"); !errors.Is(err, business.ErrNotFound) {
		t.Fatalf("deleted service: err = %v", err)
	}
}

func testStaffAndAvailability(t *testing.T, s business.Store) {
	ctx := context.Background()
	mustCreate(t, s, newBusiness("biz_a", "user_1", "alpha", t0))
	owner := business.Staff{ID: "staff_1", BusinessID: "biz_a", Name: "Owner", ServiceIDs: []string{}, Implicit: true, CreatedAt: t0, UpdatedAt: t0}
	ann := business.Staff{ID: "staff_2", BusinessID: "biz_a", Name: "Ann", Email: "ann@example.com", ServiceIDs: []string{"svc_1", "svc_2"}, CreatedAt: t0.Add(time.Second), UpdatedAt: t0.Add(time.Second)}
	for _, st := range []business.Staff{owner, ann} {
		if err := s.CreateStaff(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.Staff(ctx, "biz_a")
	if err != nil || !reflect.DeepEqual(list, []business.Staff{owner, ann}) {
		t.Fatalf("Staff = %+v, %v", list, err)
	}
	ann.Name, ann.ServiceIDs, ann.UpdatedAt = "Ann Lee", []string{"svc_2"}, t0.Add(time.Hour)
	if err := s.UpdateStaff(ctx, ann); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.StaffMember(ctx, "biz_a", "staff_2"); !reflect.DeepEqual(got, ann) {
		t.Fatalf("updated staff = %+v, want %+v", got, ann)
	}
	a := business.Availability{
		BusinessID: "biz_a", StaffID: "staff_1", UpdatedAt: t0,
		Weekly:    []event.WeeklyInterval{{Weekday: 1, Start: "09:00", End: "12:00"}, {Weekday: 1, Start: "13:00", End: "24:00"}},
		Overrides: []event.DateOverride{{Date: "2026-12-24", Closed: true}, {Date: "2026-12-31", Intervals: []event.TimeInterval{{Start: "10:00", End: "14:00"}}}},
	}
	if err := s.PutAvailability(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Availability(ctx, "biz_a", "staff_1"); err != nil || !reflect.DeepEqual(got, a) {
		t.Fatalf("Availability = %+v, %v; want %+v", got, err, a)
	}
	a.Weekly, a.Overrides = []event.WeeklyInterval{{Weekday: 0, Start: "08:00", End: "09:00"}}, []event.DateOverride{}
	if err := s.PutAvailability(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Availability(ctx, "biz_a", "staff_1"); !reflect.DeepEqual(got, a) {
		t.Fatalf("replaced availability = %+v, want %+v", got, a)
	}
	if err := s.DeleteStaff(ctx, "biz_a", "staff_1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Availability(ctx, "biz_a", "staff_1"); !errors.Is(err, business.ErrNotFound) {
		t.Fatalf("availability of a deleted member: err = %v", err)
	}
}

func testOwners(t *testing.T, s business.Store) {
	ctx := context.Background()
	o := business.Owner{UserID: "user_1", Email: "a@example.com", FirstName: "Ada", LastName: "L", UpdatedAt: t0}
	if err := s.PutOwner(ctx, o); err != nil {
		t.Fatal(err)
	}
	o.FirstName, o.Deleted, o.UpdatedAt = "Grace", true, t0.Add(time.Minute)
	if err := s.PutOwner(ctx, o); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Owner(ctx, "user_1"); err != nil || !reflect.DeepEqual(got, o) {
		t.Fatalf("Owner = %+v, %v; want %+v", got, err, o)
	}
}

func testAtomically(t *testing.T, s business.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.Atomically(ctx, func(ctx context.Context) error {
		if err := s.CreateBusiness(ctx, newBusiness("biz_a", "user_1", "alpha", t0)); err != nil {
			return err
		}
		if err := s.CreateStaff(ctx, business.Staff{ID: "staff_1", BusinessID: "biz_a", Name: "x", CreatedAt: t0, UpdatedAt: t0}); err != nil {
			return err
		}
		if _, err := s.Business(ctx, "biz_a"); err != nil {
			return fmt.Errorf("read own write: %w", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Atomically = %v, want boom", err)
	}
	if _, err := s.Business(ctx, "biz_a"); !errors.Is(err, business.ErrNotFound) {
		t.Fatalf("business after rollback: err = %v, want ErrNotFound", err)
	}
	if list, _ := s.Staff(ctx, "biz_a"); len(list) != 0 {
		t.Fatalf("staff after rollback: %v", list)
	}
}

func testLockOwner(t *testing.T, s business.Store) {
	ctx := context.Background()
	var first business.Owner
	err := s.Atomically(ctx, func(ctx context.Context) error {
		var err error
		first, err = s.LockOwner(ctx, "user_1", t0)
		return err
	})
	if err != nil || first.UserID != "user_1" || first.FirstName != "" || first.Deleted || !first.UpdatedAt.Equal(t0) {
		t.Fatalf("LockOwner of an unknown user = %+v, %v; want a placeholder", first, err)
	}
	named := business.Owner{UserID: "user_1", Email: "a@example.com", FirstName: "Ada", LastName: "L", UpdatedAt: t0.Add(time.Minute)}
	if err := s.PutOwner(ctx, named); err != nil {
		t.Fatal(err)
	}
	got, err := s.LockOwner(ctx, "user_1", t0.Add(time.Hour))
	if err != nil || !reflect.DeepEqual(got, named) {
		t.Fatalf("LockOwner of a known user = %+v, %v; want %+v unchanged", got, err, named)
	}
}
