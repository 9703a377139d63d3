package business

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
)

func ptr[T any](v T) *T { return &v }

func TestAvailabilityCheckNormalisesAndAllowsTouchingIntervals(t *testing.T) {
	a := Availability{
		Weekly: []event.WeeklyInterval{{Weekday: 2, Start: "13:00", End: "24:00"}, {Weekday: 1, Start: "09:00", End: "12:00"}, {Weekday: 2, Start: "09:00", End: "13:00"}},
		Overrides: []event.DateOverride{
			{Date: "2026-12-31", Intervals: []event.TimeInterval{{Start: "12:00", End: "14:00"}, {Start: "08:00", End: "12:00"}}},
			{Date: "2026-12-24", Closed: true},
		},
	}
	got, err := a.Check()
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	wantWeekly := []event.WeeklyInterval{{Weekday: 1, Start: "09:00", End: "12:00"}, {Weekday: 2, Start: "09:00", End: "13:00"}, {Weekday: 2, Start: "13:00", End: "24:00"}}
	if !reflect.DeepEqual(got.Weekly, wantWeekly) || got.Overrides[0].Date != "2026-12-24" || got.Overrides[1].Intervals[0].Start != "08:00" {
		t.Fatalf("normalised = %+v", got)
	}
	if a.Weekly[0].Weekday != 2 {
		t.Fatal("Check reordered its input")
	}
}

func TestSubdomainRules(t *testing.T) {
	for in, want := range map[string]string{"Acme-Studio": "acme-studio", "abc": "abc", "a1-b2": "a1-b2"} {
		if got, err := CheckSubdomain(in); err != nil || got != want {
			t.Errorf("CheckSubdomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"ab", "abc-", "a.bc", "admin", "api", string(make([]byte, 64))} {
		if _, err := CheckSubdomain(in); apperr.As(err).Field != "subdomain" {
			t.Errorf("CheckSubdomain(%q) = %v, want a subdomain error", in, err)
		}
	}
}

func TestOfferingPatchChanges(t *testing.T) {
	o, err := OfferingInput{Name: ptr("Cut"), Duration: ptr(30), Price: ptr("20"), Currency: ptr("EUR")}.Build("biz_1")
	if err != nil || o.PriceMinor != 2000 || !o.RequiresPayment {
		t.Fatalf("Build = %+v, %v", o, err)
	}
	changes, err := OfferingInput{Currency: ptr("JPY"), Price: ptr("2500"), Rules: &RuleOverrides{HorizonDays: ptr(30)}}.ApplyTo(&o, false)
	if err != nil || o.PriceMinor != 2500 || o.Currency != "JPY" {
		t.Fatalf("ApplyTo = %+v, %v", o, err)
	}
	want := map[string]any{"currency": "JPY", "price": json.Number("2500"), "bookingRules": map[string]any{"horizonDays": 30}}
	if !reflect.DeepEqual(changes, want) {
		t.Fatalf("changes = %v, want %v", changes, want)
	}
	if changes, err := (OfferingInput{Name: ptr("Cut")}).ApplyTo(&o, false); err != nil || len(changes) != 0 {
		t.Fatalf("unchanged name: changes = %v, %v", changes, err)
	}
	if _, err := (OfferingInput{Currency: ptr("EUR"), Price: ptr("0.001")}).ApplyTo(&o, false); apperr.As(err).Field != "price" {
		t.Fatalf("too many decimals: %v", err)
	}
}

func TestRulesApply(t *testing.T) {
	got := DefaultRules().Apply(RuleOverrides{SlotIntervalMinutes: ptr(30)})
	if got != (Rules{MinNoticeMinutes: 0, HorizonDays: 365, SlotIntervalMinutes: 30}) {
		t.Fatalf("Apply = %+v", got)
	}
}
