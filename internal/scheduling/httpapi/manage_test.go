package httpapi_test

import (
	"testing"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestManage: a guest reschedules with the manage token (the old slot is
// offered again, the new one not), a stranger cannot see it, the owner
// lists it, and a cancellation frees the slot; each records its event.
func TestManage(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := setup(t, engine)
		b, corr := f.book(t, slot0900, "manage@example.com")
		id, token := b["id"].(string), b["manageToken"].(string)
		if r := f.anon.send("GET", "/api/v1/bookings/"+id+"?token=wrong", nil, nil); r.status != 404 {
			t.Errorf("wrong token = %d", r.status)
		}
		if r := f.anon.send("GET", "/api/v1/bookings/"+id, nil, nil); r.status != 401 {
			t.Errorf("no token = %d", r.status)
		}
		moved := f.anon.must(200, "POST", "/api/v1/bookings/"+id+"/reschedule?token="+token, obj{"startTime": "2030-01-08T12:00:00Z"})
		if moved["startTime"] != "2030-01-08T12:00:00Z" || moved["endTime"] != "2030-01-08T13:00:00Z" || moved["status"] != "pending" {
			t.Errorf("rescheduled = %v", moved)
		}
		if !f.offered(t, f.paidID, slot0900Berlin) || f.offered(t, f.paidID, "2030-01-08T13:00:00+01:00") {
			t.Error("slots do not follow the move")
		}
		if r := f.anon.send("POST", "/api/v1/bookings/"+id+"/reschedule?token="+token, obj{"startTime": "2030-01-08T12:07:00Z"}, nil); r.status != 422 {
			t.Errorf("reschedule off the grid = %d %s", r.status, r.body)
		}
		list := f.owner.must(200, "GET", "/api/v1/businesses/"+f.bizID+"/bookings?from=2030-01-08&to=2030-01-08&status=pending", nil)
		if bs := list["bookings"].([]any); len(bs) != 1 || bs[0].(map[string]any)["id"] != id {
			t.Errorf("owner's list = %v", list)
		}
		got := f.anon.must(200, "POST", "/api/v1/bookings/"+id+"/cancel?token="+token, obj{"reason": "changed my mind"})
		if got["status"] != "cancelled" || got["cancelReason"] != "changed my mind" {
			t.Errorf("cancelled = %v", got)
		}
		if r := f.anon.send("POST", "/api/v1/bookings/"+id+"/cancel?token="+token, nil, nil); r.status != 409 || r.errorDetail(t).Reason != "booking_not_modifiable" {
			t.Errorf("second cancel = %d %s", r.status, r.body)
		}
		if !f.offered(t, f.paidID, "2030-01-08T13:00:00+01:00") {
			t.Error("the cancelled slot is not offered again")
		}
		f.waitEvent(t, id, event.TypeBookingCancelled)
		checkCorrelation(t, f, id, corr, event.TypeBookingCreated, event.TypeBookingRescheduled, event.TypeBookingCancelled)
	})
}
