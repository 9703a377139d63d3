package httpapi_test

import (
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestBadInput: every refused booking or slot search answers 4xx naming
// why, and writes nothing (no booking, no outbox row).
func TestBadInput(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := setup(t, engine)
		f.owner.must(200, "PATCH", "/api/v1/businesses/"+f.bizID, obj{"bookingRules": obj{"minNoticeMinutes": 120, "horizonDays": 30}})
		apptest.WaitFor(t, "the new rules to apply", func() bool {
			return len(f.slots(t, f.paidID, "2030-01-07")) > 0 && !f.offered(t, f.paidID, "2030-01-07T09:00:00+01:00")
		})
		db := f.h.OpenDB(t, "scheduling")
		outbox := f.countRows(t, db, "SELECT count(*) FROM outbox_events")
		book := func(over obj) obj {
			b := f.guestBooking(f.paidID, slot0900, "bad@example.com")
			for k, v := range over {
				b[k] = v
			}
			return b
		}
		tests := []struct {
			name   string
			method string
			path   string
			body   any
			status int
			reason string
			field  string
		}{
			{"unknown_business", "POST", "/api/v1/bookings", book(obj{"businessId": "biz_nope"}), 404, "", ""},
			{"unknown_service", "POST", "/api/v1/bookings", book(obj{"serviceId": "svc_nope"}), 404, "", ""},
			{"unknown_staff", "POST", "/api/v1/bookings", book(obj{"staffId": "staff_nope"}), 404, "", ""},
			{"not_on_a_slot", "POST", "/api/v1/bookings", book(obj{"startTime": "2030-01-08T08:07:00Z"}), 422, "not_on_slot_interval", "startTime"},
			{"outside_hours", "POST", "/api/v1/bookings", book(obj{"startTime": "2030-01-08T19:00:00Z"}), 422, "outside_hours", "startTime"},
			{"in_the_past", "POST", "/api/v1/bookings", book(obj{"startTime": "2030-01-07T06:00:00Z"}), 422, "in_the_past", "startTime"},
			{"inside_minimum_notice", "POST", "/api/v1/bookings", book(obj{"startTime": "2030-01-07T08:00:00Z"}), 422, "inside_minimum_notice", "startTime"},
			{"beyond_horizon", "POST", "/api/v1/bookings", book(obj{"startTime": "2030-03-05T08:00:00Z"}), 422, "beyond_horizon", "startTime"},
			{"malformed_time", "POST", "/api/v1/bookings", book(obj{"startTime": "tomorrow at nine"}), 400, "malformed_time", "startTime"},
			{"missing_service", "POST", "/api/v1/bookings", book(obj{"serviceId": ""}), 400, "", "serviceId"},
			{"no_client", "POST", "/api/v1/bookings", obj{"businessId": f.bizID, "serviceId": f.paidID, "startTime": slot0900}, 400, "", "client"},
			{"bad_email", "POST", "/api/v1/bookings", book(obj{"client": obj{"name": "X", "email": "nope"}}), 400, "", "client.email"},
			{"unknown_field", "POST", "/api/v1/bookings", book(obj{"price": 0}), 400, "", "price"},
			{"note_too_long", "POST", "/api/v1/bookings", book(obj{"note": strings.Repeat("ü", 1001)}), 400, "", "note"},
			{"note_control_character", "POST", "/api/v1/bookings", book(obj{"note": "ring\u0007twice"}), 400, "", "note"},
			{"note_escape_sequence", "POST", "/api/v1/bookings", book(obj{"note": "\u001b[31mred"}), 400, "", "note"},
			{"note_not_text", "POST", "/api/v1/bookings", book(obj{"note": 5}), 400, "", "note"},
			{"slots_range_too_long", "GET", slotsURL(f, "2030-01-07", "2030-03-10"), nil, 400, "range_too_long", "to"},
			{"slots_bad_date", "GET", slotsURL(f, "2030-02-30", "2030-03-01"), nil, 400, "malformed_date", "from"},
			{"slots_unknown_zone", "GET", slotsURL(f, "2030-01-07", "2030-01-08") + "&timeZone=Mars/Olympus", nil, 400, "unknown_time_zone", "timeZone"},
			{"slots_unknown_business", "GET", "/api/v1/public/businesses/nobody/slots?serviceId=" + f.paidID + "&from=2030-01-07&to=2030-01-08", nil, 404, "", ""},
			{"slots_unknown_service", "GET", "/api/v1/public/businesses/" + f.subdomain + "/slots?serviceId=svc_nope&from=2030-01-07&to=2030-01-08", nil, 404, "", ""},
			{"slots_unknown_staff", "GET", slotsURL(f, "2030-01-07", "2030-01-08") + "&staffId=staff_nope", nil, 404, "", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := f.anon.send(tt.method, tt.path, tt.body, nil)
				if r.status != tt.status {
					t.Fatalf("status = %d %s, want %d", r.status, r.body, tt.status)
				}
				e := r.errorDetail(t)
				if e.Reason != tt.reason || e.Field != tt.field || e.Message == "" {
					t.Errorf("error = %+v, want reason %q field %q", e, tt.reason, tt.field)
				}
			})
		}
		if n := f.countRows(t, db, "SELECT count(*) FROM bookings"); n != 0 {
			t.Errorf("%d bookings written", n)
		}
		if n := f.countRows(t, db, "SELECT count(*) FROM outbox_events"); n != outbox {
			t.Errorf("outbox rows %d → %d", outbox, n)
		}
		// The same request at an offered start succeeds.
		if r := f.anon.send("POST", "/api/v1/bookings", book(nil), nil); r.status != 201 {
			t.Errorf("valid booking = %d %s", r.status, r.body)
		}
	})
}

func slotsURL(f *fixture, from, to string) string {
	return "/api/v1/public/businesses/" + f.subdomain + "/slots?serviceId=" + f.paidID + "&from=" + from + "&to=" + to
}
