package httpapi_test

import (
	"encoding/json"
	"testing"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestBookingNote: a booking's note is normalised (CRLF → LF, trimmed),
// kept, shown in the booking's JSON and carried by booking.created 1.1; a
// booking without one shows none and its event has none; an
// Idempotency-Key sent again with another note is another request (422).
func TestBookingNote(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := setup(t, engine)
		body := f.guestBooking(f.freeID, slot0900, "note@example.com")
		body["note"] = "  Second floor.\r\n\tRing twice, <b>please</b>.\r\n"
		const want = "Second floor.\n\tRing twice, <b>please</b>."
		key := map[string]string{"Idempotency-Key": "note-1"}
		r := f.anon.send("POST", "/api/v1/bookings", body, key)
		if r.status != 201 {
			t.Fatalf("book = %d %s", r.status, r.body)
		}
		b := r.json(t)
		id, token := b["id"].(string), b["manageToken"].(string)
		if b["note"] != want {
			t.Errorf("note in the answer = %q, want %q", b["note"], want)
		}
		if got := f.anon.must(200, "GET", "/api/v1/bookings/"+id+"?token="+token, nil); got["note"] != want {
			t.Errorf("note read back = %q, want %q", got["note"], want)
		}
		ev := f.waitEvent(t, id, event.TypeBookingCreated)
		var d event.BookingCreated
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			t.Fatal(err)
		}
		if ev.Version != "1.1" || d.Note != want {
			t.Errorf("booking.created %s note %q, want 1.1 with %q", ev.Version, d.Note, want)
		}

		body["note"] = "Another note."
		if r := f.anon.send("POST", "/api/v1/bookings", body, key); r.status != 422 || r.errorDetail(t).Reason != "idempotency_key_reused" {
			t.Errorf("same key, other note = %d %s; want 422 idempotency_key_reused", r.status, r.body)
		}

		plain := f.anon.must(201, "POST", "/api/v1/bookings", f.guestBooking(f.freeID, "2030-01-08T10:00:00Z", "plain@example.com"))
		if _, ok := plain["note"]; ok {
			t.Errorf("a booking without a note shows one: %v", plain)
		}
		ev = f.waitEvent(t, plain["id"].(string), event.TypeBookingCreated)
		var raw map[string]any
		if err := json.Unmarshal(ev.Data, &raw); err != nil {
			t.Fatal(err)
		}
		if _, ok := raw["note"]; ok {
			t.Errorf("booking.created without a note carries one: %s", ev.Data)
		}
	})
}
