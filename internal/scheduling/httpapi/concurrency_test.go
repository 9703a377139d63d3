package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// race sends n guest bookings for one slot at once, the i-th through
// clients[i%len(clients)], and returns the statuses by count and the
// reasons of the refusals.
func race(t *testing.T, f *fixture, clients []client, n int, start string) (map[int]int, map[string]int) {
	t.Helper()
	var mu sync.Mutex
	statuses, reasons := map[int]int{}, map[string]int{}
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			r := clients[i%len(clients)].send("POST", "/api/v1/bookings", f.guestBooking(f.paidID, start, fmt.Sprintf("racer%d@example.com", i)), nil)
			mu.Lock()
			defer mu.Unlock()
			statuses[r.status]++
			if r.status >= 400 && len(r.body) > 0 {
				reasons[r.errorDetail(t).Reason]++
			}
		}()
	}
	close(gate)
	wg.Wait()
	closeIdle()
	return statuses, reasons
}

// closeIdle closes the client's idle connections, among them those a
// burst dialled but never used: the server's shutdown would wait 5 s for
// each (net/http treats a new connection as busy for 5 s).
func closeIdle() { http.DefaultClient.CloseIdleConnections() }

// TestOneSlotManyRequests: 200 concurrent requests for one slot → exactly
// one 201 and 199 × 409 slot_taken; no overlapping bookings afterwards.
func TestOneSlotManyRequests(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := setup(t, engine)
		statuses, reasons := race(t, f, []client{f.anon}, 200, slot0900)
		if statuses[201] != 1 || statuses[409] != 199 || reasons["slot_taken"] != 199 {
			t.Errorf("statuses %v, reasons %v; want one 201 and 199 × 409 slot_taken", statuses, reasons)
		}
		db := f.h.OpenDB(t, "scheduling")
		if n := f.countRows(t, db, overlapQuery); n != 0 {
			t.Errorf("%d overlapping pairs of bookings", n)
		}
		if n := f.countRows(t, db, "SELECT count(*) FROM bookings"); n != 1 {
			t.Errorf("%d bookings, want 1", n)
		}
	})
}

// TestTwoInstancesOneSlot: two scheduling instances (two Apps, separate
// data dirs) on one PostgreSQL database and one NATS, 200 requests for one
// slot split between them → one booking.
func TestTwoInstancesOneSlot(t *testing.T) {
	t.Parallel()
	sqldbtest.PostgresURL(t)
	c := &clock{now: t0}
	first := apptest.Start(t, config(t, sqldb.Postgres, c))
	f := setupWith(t, first, c)
	cfg := config(t, sqldb.Postgres, c)
	cfg.Services = []string{"scheduling"}
	cfg.NATSURL = first.App.NATSURL()
	cfg.DatabaseURLs = map[string]string{"scheduling": first.Config.DatabaseURL("scheduling")}
	second := apptest.Start(t, cfg)
	other := client{t: t, base: second.BaseURL}
	apptest.WaitFor(t, "the second instance to offer the slot", func() bool {
		r := other.send("GET", "/api/v1/public/businesses/"+f.subdomain+"/slots?serviceId="+f.paidID+"&from=2030-01-08&to=2030-01-08", nil, nil)
		return r.status == 200 && len(r.json(t)["slots"].([]any)) > 0
	})
	statuses, reasons := race(t, f, []client{f.anon, other}, 200, slot0900)
	if statuses[201] != 1 || statuses[409] != 199 || reasons["slot_taken"] != 199 {
		t.Errorf("statuses %v, reasons %v; want one 201 and 199 × 409 slot_taken", statuses, reasons)
	}
	db := f.h.OpenDB(t, "scheduling")
	if n := f.countRows(t, db, overlapQuery); n != 0 {
		t.Errorf("%d overlapping pairs of bookings", n)
	}
	if n := f.countRows(t, db, "SELECT count(*) FROM bookings"); n != 1 {
		t.Errorf("%d bookings, want 1", n)
	}
}

// TestIdempotencyKey: the same key and body sent 50 times at once → one
// booking, every answer 2xx with its id and its manage token; the same key
// with another body → 422.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := setup(t, engine)
		body := f.guestBooking(f.paidID, slot0900, "same@example.com")
		var mu sync.Mutex
		ids, tokens, statuses := map[string]int{}, map[string]int{}, map[int]int{}
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				r := f.anon.send("POST", "/api/v1/bookings", body, map[string]string{"Idempotency-Key": "key-1"})
				mu.Lock()
				defer mu.Unlock()
				statuses[r.status]++
				if r.status < 300 {
					b := r.json(t)
					ids[b["id"].(string)]++
					token, _ := b["manageToken"].(string)
					tokens[token]++
				}
			}()
		}
		close(gate)
		wg.Wait()
		closeIdle()
		if statuses[201] != 50 || len(ids) != 1 {
			t.Errorf("statuses %v, ids %v; want 50 × 201 with one id", statuses, ids)
		}
		if len(tokens) != 1 || tokens[""] != 0 {
			t.Errorf("manage tokens %v; want one, in every answer", tokens)
		}
		db := f.h.OpenDB(t, "scheduling")
		if n := f.countRows(t, db, "SELECT count(*) FROM bookings"); n != 1 {
			t.Errorf("%d bookings, want 1", n)
		}
		other := f.guestBooking(f.paidID, "2030-01-08T09:30:00Z", "same@example.com")
		r := f.anon.send("POST", "/api/v1/bookings", other, map[string]string{"Idempotency-Key": "key-1"})
		if r.status != 422 || r.errorDetail(t).Reason != "idempotency_key_reused" {
			t.Errorf("same key, other body = %d %s", r.status, r.body)
		}
		// Another guest's key of the same name is another key.
		r = f.anon.send("POST", "/api/v1/bookings", f.guestBooking(f.paidID, "2030-01-08T10:30:00Z", "else@example.com"), map[string]string{"Idempotency-Key": "key-1"})
		if r.status != 201 {
			t.Errorf("same key, other guest = %d %s", r.status, r.body)
		}
	})
}
