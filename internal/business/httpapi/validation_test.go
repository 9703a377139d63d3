package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// invalid is one refused request body: the status, the error code and the
// field the answer must name ("" for none, e.g. an oversized body).
type invalid struct {
	name, method, path string
	body               any
	status             int
	field              string
}

func validationCases() []invalid {
	biz := "/api/v1/businesses"
	one := biz + "/{id}"
	svcs := one + "/services"
	svc := svcs + "/{serviceId}"
	staff := one + "/staff"
	hours := staff + "/{staffId}/availability"
	big := `{"name": "` + strings.Repeat("x", 70<<10) + `"}`
	w := func(wk any, start, end string) obj { return obj{"weekday": wk, "start": start, "end": end} }
	cases := []invalid{
		{"business_missing_name", "POST", biz, obj{"subdomain": "new-one", "timeZone": "UTC"}, 400, "name"},
		{"business_missing_subdomain", "POST", biz, obj{"name": "N", "timeZone": "UTC"}, 400, "subdomain"},
		{"business_missing_time_zone", "POST", biz, obj{"name": "N", "subdomain": "new-one"}, 400, "timeZone"},
		{"business_name_wrong_type", "POST", biz, obj{"name": 5, "subdomain": "new-one", "timeZone": "UTC"}, 400, "name"},
		{"business_blank_name", "POST", biz, obj{"name": "  ", "subdomain": "new-one", "timeZone": "UTC"}, 400, "name"},
		{"business_unknown_time_zone", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "Mars/Olympus_Mons"}, 400, "timeZone"},
		{"business_short_subdomain", "POST", biz, obj{"name": "N", "subdomain": "ab", "timeZone": "UTC"}, 400, "subdomain"},
		{"business_subdomain_bad_chars", "POST", biz, obj{"name": "N", "subdomain": "new_one", "timeZone": "UTC"}, 400, "subdomain"},
		{"business_subdomain_leading_dash", "POST", biz, obj{"name": "N", "subdomain": "-new", "timeZone": "UTC"}, 400, "subdomain"},
		{"business_subdomain_reserved", "POST", biz, obj{"name": "N", "subdomain": "www", "timeZone": "UTC"}, 400, "subdomain"},
		{"business_duplicate_subdomain", "POST", biz, obj{"name": "N", "subdomain": "taken", "timeZone": "UTC"}, 409, "subdomain"},
		{"business_unknown_field", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "UTC", "color": "red"}, 400, "color"},
		{"business_bad_slot_interval", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "UTC", "bookingRules": obj{"slotIntervalMinutes": 0}}, 400, "bookingRules.slotIntervalMinutes"},
		{"business_negative_notice", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "UTC", "bookingRules": obj{"minNoticeMinutes": -1}}, 400, "bookingRules.minNoticeMinutes"},
		{"business_oversized", "POST", biz, big, 413, ""},
		{"business_long_description", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "UTC", "description": strings.Repeat("d", 2001)}, 400, "description"},
		{"business_description_control_char", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "UTC", "description": "a\u0000b"}, 400, "description"},
		{"business_description_wrong_type", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "UTC", "description": 5}, 400, "description"},
		{"business_long_address", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "UTC", "address": strings.Repeat("a", 501)}, 400, "address"},
		{"business_address_too_many_lines", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "UTC", "address": strings.Repeat("line\n", 11)}, 400, "address"},
		{"business_origin_with_path", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "UTC", "embedOrigins": []string{"https://www.example.com/book"}}, 400, "embedOrigins[0]"},
		{"business_origin_http", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "UTC", "embedOrigins": []string{"https://ok.example", "http://www.example.com"}}, 400, "embedOrigins[1]"},
		{"business_origins_wrong_type", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "UTC", "embedOrigins": "https://www.example.com"}, 400, "embedOrigins"},
		{"business_too_many_origins", "POST", biz, obj{"name": "N", "subdomain": "new-one", "timeZone": "UTC", "embedOrigins": origins(11)}, 400, "embedOrigins"},
		{"patch_unknown_time_zone", "PATCH", one, obj{"timeZone": "Nowhere/City"}, 400, "timeZone"},
		{"patch_duplicate_subdomain", "PATCH", one, obj{"subdomain": "taken"}, 409, "subdomain"},
		{"patch_zero_horizon", "PATCH", one, obj{"bookingRules": obj{"horizonDays": 0}}, 400, "bookingRules.horizonDays"},
		{"patch_business_oversized", "PATCH", one, big, 413, ""},
		{"patch_long_description", "PATCH", one, obj{"description": strings.Repeat("d", 2001)}, 400, "description"},
		{"patch_address_control_char", "PATCH", one, obj{"address": "Main St 1\u001b[2J"}, 400, "address"},
		{"patch_origin_query", "PATCH", one, obj{"embedOrigins": []string{"https://www.example.com/?x=1"}}, 400, "embedOrigins[0]"},
		{"patch_origin_fragment", "PATCH", one, obj{"embedOrigins": []string{"https://www.example.com#f"}}, 400, "embedOrigins[0]"},
		{"patch_origin_wildcard", "PATCH", one, obj{"embedOrigins": []string{"https://*.example.com"}}, 400, "embedOrigins[0]"},
		{"patch_origin_csp_injection", "PATCH", one, obj{"embedOrigins": []string{"https://a.example; script-src *"}}, 400, "embedOrigins[0]"},
		{"patch_origin_not_absolute", "PATCH", one, obj{"embedOrigins": []string{"www.example.com"}}, 400, "embedOrigins[0]"},
		{"patch_duplicate_origins", "PATCH", one, obj{"embedOrigins": []string{"https://a.example", "https://A.example:443"}}, 400, "embedOrigins[1]"},
		{"patch_too_many_origins", "PATCH", one, obj{"embedOrigins": origins(11)}, 400, "embedOrigins"},
		{"patch_valid_origins_with_bad_description", "PATCH", one, obj{"embedOrigins": []string{"https://a.example"}, "description": "\u0007"}, 400, "description"},
		{"service_missing_name", "POST", svcs, obj{"duration": 30, "price": 10, "currency": "EUR"}, 400, "name"},
		{"service_missing_duration", "POST", svcs, obj{"name": "S", "price": 10, "currency": "EUR"}, 400, "duration"},
		{"service_missing_price", "POST", svcs, obj{"name": "S", "duration": 30, "currency": "EUR"}, 400, "price"},
		{"service_missing_currency", "POST", svcs, obj{"name": "S", "duration": 30, "price": 10}, 400, "currency"},
		{"service_zero_duration", "POST", svcs, obj{"name": "S", "duration": 0, "price": 10, "currency": "EUR"}, 400, "duration"},
		{"service_negative_duration", "POST", svcs, obj{"name": "S", "duration": -30, "price": 10, "currency": "EUR"}, 400, "duration"},
		{"service_fractional_duration", "POST", svcs, obj{"name": "S", "duration": 30.5, "price": 10, "currency": "EUR"}, 400, "duration"},
		{"service_duration_wrong_type", "POST", svcs, obj{"name": "S", "duration": "30", "price": 10, "currency": "EUR"}, 400, "duration"},
		{"service_negative_price", "POST", svcs, obj{"name": "S", "duration": 30, "price": -1, "currency": "EUR"}, 400, "price"},
		{"service_too_many_decimals", "POST", svcs, `{"name": "S", "duration": 30, "price": 10.999, "currency": "EUR"}`, 400, "price"},
		{"service_decimals_in_yen", "POST", svcs, `{"name": "S", "duration": 30, "price": 100.5, "currency": "JPY"}`, 400, "price"},
		{"service_price_as_string", "POST", svcs, obj{"name": "S", "duration": 30, "price": "10", "currency": "EUR"}, 400, "price"},
		{"service_unknown_currency", "POST", svcs, obj{"name": "S", "duration": 30, "price": 10, "currency": "XQZ"}, 400, "currency"},
		{"service_lower_case_currency", "POST", svcs, obj{"name": "S", "duration": 30, "price": 10, "currency": "eur"}, 400, "currency"},
		{"service_negative_buffer", "POST", svcs, obj{"name": "S", "duration": 30, "price": 10, "currency": "EUR", "bufferAfter": -5}, 400, "bufferAfter"},
		{"service_payment_without_price", "POST", svcs, obj{"name": "S", "duration": 30, "price": 0, "currency": "EUR", "requiresPayment": true}, 400, "requiresPayment"},
		{"service_bad_rule_override", "POST", svcs, obj{"name": "S", "duration": 30, "price": 10, "currency": "EUR", "bookingRules": obj{"horizonDays": -1}}, 400, "bookingRules.horizonDays"},
		{"service_oversized", "POST", svcs, big, 413, ""},
		{"patch_service_zero_duration", "PATCH", svc, obj{"duration": 0}, 400, "duration"},
		{"patch_service_negative_price", "PATCH", svc, obj{"price": -0.01}, 400, "price"},
		{"patch_service_unknown_field", "PATCH", svc, obj{"colour": "red"}, 400, "colour"},
		{"patch_service_oversized", "PATCH", svc, big, 413, ""},
		{"staff_missing_name", "POST", staff, obj{"serviceIds": []string{}}, 400, "name"},
		{"staff_missing_service_ids", "POST", staff, obj{"name": "Ann"}, 400, "serviceIds"},
		{"staff_unknown_service", "POST", staff, obj{"name": "Ann", "serviceIds": []string{"svc_nope"}}, 400, "serviceIds[0]"},
		{"staff_bad_email", "POST", staff, obj{"name": "Ann", "email": "not-an-address", "serviceIds": []string{}}, 400, "email"},
		{"staff_service_ids_wrong_type", "POST", staff, obj{"name": "Ann", "serviceIds": "svc_1"}, 400, "serviceIds"},
		{"staff_oversized", "POST", staff, big, 413, ""},
		{"hours_missing_weekly", "PUT", hours, obj{"overrides": []obj{}}, 400, "weekly"},
		{"hours_missing_weekday", "PUT", hours, obj{"weekly": []obj{{"start": "09:00", "end": "10:00"}}}, 400, "weekly[0].weekday"},
		{"hours_bad_weekday", "PUT", hours, obj{"weekly": []obj{w(1, "09:00", "10:00"), w(7, "09:00", "10:00")}}, 400, "weekly[1].weekday"},
		{"hours_negative_weekday", "PUT", hours, obj{"weekly": []obj{w(-1, "09:00", "10:00")}}, 400, "weekly[0].weekday"},
		{"hours_weekday_wrong_type", "PUT", hours, obj{"weekly": []obj{w("monday", "09:00", "10:00")}}, 400, "weekly.weekday"},
		{"hours_end_before_start", "PUT", hours, obj{"weekly": []obj{w(1, "09:00", "10:00"), w(2, "12:00", "11:00")}}, 400, "weekly[1].end"},
		{"hours_empty_interval", "PUT", hours, obj{"weekly": []obj{w(1, "09:00", "09:00")}}, 400, "weekly[0].end"},
		{"hours_bad_time", "PUT", hours, obj{"weekly": []obj{w(1, "9am", "10:00")}}, 400, "weekly[0].start"},
		{"hours_past_midnight", "PUT", hours, obj{"weekly": []obj{w(1, "09:00", "24:30")}}, 400, "weekly[0].end"},
		{"hours_overlap", "PUT", hours, obj{"weekly": []obj{w(1, "09:00", "12:00"), w(3, "09:00", "12:00"), w(1, "11:00", "13:00")}}, 400, "weekly[2].start"},
		{"override_bad_date", "PUT", hours, obj{"weekly": []obj{}, "overrides": []obj{{"date": "2026-02-30", "closed": true}}}, 400, "overrides[0].date"},
		{"override_duplicate_date", "PUT", hours, obj{"weekly": []obj{}, "overrides": []obj{{"date": "2026-12-24", "closed": true}, {"date": "2026-12-24", "closed": true}}}, 400, "overrides[1].date"},
		{"override_closed_and_open", "PUT", hours, obj{"weekly": []obj{}, "overrides": []obj{{"date": "2026-12-24", "closed": true, "intervals": []obj{{"start": "09:00", "end": "10:00"}}}}}, 400, "overrides[0].intervals"},
		{"override_neither", "PUT", hours, obj{"weekly": []obj{}, "overrides": []obj{{"date": "2026-12-24"}}}, 400, "overrides[0].intervals"},
		{"override_overlap", "PUT", hours, obj{"weekly": []obj{}, "overrides": []obj{{"date": "2026-12-24", "intervals": []obj{{"start": "09:00", "end": "12:00"}, {"start": "10:00", "end": "11:00"}}}}}, 400, "overrides[0].intervals[1].start"},
		{"override_missing_end", "PUT", hours, obj{"weekly": []obj{}, "overrides": []obj{{"date": "2026-12-24", "intervals": []obj{{"start": "09:00"}}}}}, 400, "overrides[0].intervals[0].end"},
		{"hours_oversized", "PUT", hours, big, 413, ""},
	}
	return cases
}

// origins returns n distinct valid origins.
func origins(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("https://site%d.example", i)
	}
	return out
}

// TestValidationNamesTheFieldAndWritesNothing: every refused body answers a
// 4xx whose JSON names the field at fault, and the database (outbox
// included) is unchanged.
func TestValidationNamesTheFieldAndWritesNothing(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := apptest.StartEngine(t, engine)
		owner, _ := registerOwner(t, h, "v@example.com")
		must[obj](owner, 201, "POST", "/api/v1/businesses", obj{"name": "T", "subdomain": "taken", "timeZone": "UTC"})
		a := seedTenant(t, owner, "valid-one")
		db := h.OpenDB(t, "business")
		waitOwners(t, db.DB, 1)
		before := snapshot(t, db.DB)
		for _, tc := range validationCases() {
			t.Run(tc.name, func(t *testing.T) {
				owner.t = t
				status, raw := owner.do(tc.method, a.path(tc.path), tc.body)
				if status != tc.status {
					t.Fatalf("= %d %s, want %d", status, raw, tc.status)
				}
				if e := errorOf(t, raw); e.Field != tc.field || e.Message == "" {
					t.Fatalf("error = %+v, want field %q", e, tc.field)
				}
			})
		}
		if after := snapshot(t, db.DB); after != before {
			t.Fatalf("refused requests changed the database:\nbefore %s\nafter %s", before, after)
		}
	})
}
