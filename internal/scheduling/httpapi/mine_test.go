package httpapi_test

import (
	"bytes"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// signUpClient registers a client account and returns its caller and id.
func (f *fixture) signUpClient(t *testing.T, email string) (client, string) {
	t.Helper()
	s := f.anon.must(201, "POST", "/api/v1/auth/register", obj{
		"email": email, "password": "correct horse battery", "firstName": "Carl", "lastName": "Client", "role": "client",
	})
	user, _ := s["user"].(map[string]any)
	id, _ := user["id"].(string)
	if id == "" {
		t.Fatalf("register: no user id in %v", s)
	}
	return client{t: t, base: f.h.BaseURL, token: s["accessToken"].(string)}, id
}

// TestManageTokenReplayed: a request repeated with its Idempotency-Key is
// answered with the first answer's body, manageToken included, for a
// guest and for a registered client alike; the token opens the booking.
func TestManageTokenReplayed(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := setup(t, engine)
		carl, carlID := f.signUpClient(t, "carl@example.com")
		cases := []struct {
			name   string
			caller client
			body   obj
			guest  bool
		}{
			{"guest", f.anon, f.guestBooking(f.paidID, slot0900, "replay@example.com"), true},
			{"registered_client", carl, obj{"businessId": f.bizID, "serviceId": f.paidID, "startTime": "2030-01-08T11:00:00Z"}, false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				key := map[string]string{"Idempotency-Key": "replay-" + c.name}
				first := c.caller.send("POST", "/api/v1/bookings", c.body, key)
				again := c.caller.send("POST", "/api/v1/bookings", c.body, key)
				if first.status != 201 || again.status != 201 || again.header.Get("Idempotent-Replayed") != "true" {
					t.Fatalf("first = %d %s, again = %d (replayed %q) %s", first.status, first.body, again.status,
						again.header.Get("Idempotent-Replayed"), again.body)
				}
				if !bytes.Equal(first.body, again.body) {
					t.Errorf("replayed body differs:\nfirst %s\nagain %s", first.body, again.body)
				}
				b, replayed := first.json(t), again.json(t)
				token, _ := replayed["manageToken"].(string)
				if token == "" || token != b["manageToken"] {
					t.Fatalf("manageToken: first %v, replayed %v", b["manageToken"], replayed["manageToken"])
				}
				id := b["id"].(string)
				got := f.anon.must(200, "GET", "/api/v1/bookings/"+id+"?token="+url.QueryEscape(token), nil)
				if got["id"] != id || got["status"] != "pending" {
					t.Errorf("GET with the replayed token = %v", got)
				}
				if _, hasClient := got["client"]; hasClient != c.guest {
					t.Errorf("client details shown = %v for guest = %v: %v", hasClient, c.guest, got)
				}
				if !c.guest && got["clientId"] != carlID {
					t.Errorf("clientId = %v, want %s", got["clientId"], carlID)
				}
			})
		}
	})
}

// TestMyBookings: GET /api/v1/bookings lists the caller's own bookings —
// upcoming by start ascending, past by start descending, paged by cursor —
// and no one else's; bad parameters are 400s naming them; anonymous
// callers get 401.
func TestMyBookings(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := setup(t, engine)
		carl, _ := f.signUpClient(t, "carl@example.com")
		dora, _ := f.signUpClient(t, "dora@example.com")
		book := func(c client, start string) string {
			return c.must(201, "POST", "/api/v1/bookings", obj{"businessId": f.bizID, "serviceId": f.freeID, "startTime": start})["id"].(string)
		}
		// Monday 09:00 Berlin is an hour after the clock's start; the rest
		// are on Tuesday.
		monday := book(carl, "2030-01-07T08:00:00Z")
		late := book(carl, "2030-01-08T10:00:00Z")
		early := book(carl, "2030-01-08T08:00:00Z")
		mid := book(carl, "2030-01-08T09:00:00Z")
		book(dora, "2030-01-08T12:00:00Z")
		f.anon.must(201, "POST", "/api/v1/bookings", f.guestBooking(f.freeID, "2030-01-08T13:00:00Z", "carl@example.com"))
		f.owner.must(200, "POST", "/api/v1/bookings/"+mid+"/cancel", obj{"reason": "closed"})

		equalIDs(t, "upcoming", carl.walk(t, "", 2), []string{monday, early, mid, late})
		equalIDs(t, "past before any ended", carl.walk(t, "past", 2), nil)
		equalIDs(t, "owner's own", f.owner.walk(t, "upcoming", 20), nil)
		// Monday's booking ends at 08:30 UTC.
		f.clock.Advance(90 * time.Minute)
		equalIDs(t, "upcoming later", carl.walk(t, "upcoming", 1), []string{early, mid, late})
		equalIDs(t, "past later", carl.walk(t, "past", 1), []string{monday})
		f.clock.Advance(48 * time.Hour)
		equalIDs(t, "past at the end", carl.walk(t, "past", 3), []string{late, mid, early, monday})

		page := carl.must(200, "GET", "/api/v1/bookings?limit=1", nil)
		if bs := page["bookings"].([]any); len(bs) != 0 || page["nextCursor"] != nil {
			t.Errorf("upcoming after all ended = %v", page)
		}
		first := carl.must(200, "GET", "/api/v1/bookings?when=past&limit=1", nil)
		item := first["bookings"].([]any)[0].(map[string]any)
		if item["id"] != late || item["status"] != "confirmed" || item["serviceId"] != f.freeID || item["startTime"] != "2030-01-08T10:00:00Z" {
			t.Errorf("list item = %v", item)
		}
		cursor := first["nextCursor"].(string)
		for _, bad := range []struct{ query, field string }{
			{"when=soon", "when"},
			{"limit=0", "limit"},
			{"limit=101", "limit"},
			{"limit=x", "limit"},
			{"cursor=%21%21", "cursor"},
			{"cursor=" + url.QueryEscape(cursor), "cursor"}, // a past list's cursor for the upcoming list
		} {
			r := carl.send("GET", "/api/v1/bookings?"+bad.query, nil, nil)
			if r.status != 400 || r.errorDetail(t).Field != bad.field {
				t.Errorf("?%s = %d %s, want 400 naming %s", bad.query, r.status, r.body, bad.field)
			}
		}
		if r := f.anon.send("GET", "/api/v1/bookings", nil, nil); r.status != 401 {
			t.Errorf("anonymous = %d %s, want 401", r.status, r.body)
		}
	})
}

// walk lists the caller's bookings of a when, page by page of limit.
func (c client) walk(t *testing.T, when string, limit int) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for range 20 {
		q := url.Values{"limit": {fmt.Sprint(limit)}}
		if when != "" {
			q.Set("when", when)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		page := c.must(200, "GET", "/api/v1/bookings?"+q.Encode(), nil)
		bs := page["bookings"].([]any)
		if len(bs) > limit {
			t.Fatalf("page of %d, limit %d", len(bs), limit)
		}
		for _, b := range bs {
			ids = append(ids, b.(map[string]any)["id"].(string))
		}
		next, _ := page["nextCursor"].(string)
		if next == "" {
			return ids
		}
		cursor = next
	}
	t.Fatalf("paging never ended: %v", ids)
	return nil
}

func equalIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
