package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/httpapi"
	"github.com/slotwise/slotwise/internal/sqldb"
)

type obj = map[string]any

// clock is a manual clock the tests move.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// t0 is the clock's start: Monday 2030-01-07 08:00 in Berlin.
var t0 = time.Date(2030, 1, 7, 7, 0, 0, 0, time.UTC)

// client talks HTTP to a started App as one caller ("" token: anonymous).
type client struct {
	t     testing.TB
	base  string
	token string
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) obj {
	t.Helper()
	var out obj
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return out
}

func (r response) errorDetail(t testing.TB) httpapi.ErrorDetail {
	t.Helper()
	var e httpapi.ErrorBody
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %s: %v", r.body, err)
	}
	return e.Error
}

// send sends body as JSON (a string is sent raw) with extra headers.
func (c client) send(method, path string, body any, headers map[string]string) response {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Errorf("marshal: %v", err)
			return response{}
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Errorf("request: %v", err)
		return response{}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Errorf("%s %s: %v", method, path, err)
		return response{}
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Errorf("%s %s: read: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: out}
}

func (c client) must(want int, method, path string, body any) obj {
	c.t.Helper()
	r := c.send(method, path, body, nil)
	if r.status != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.body, want)
	}
	if len(r.body) == 0 {
		return nil
	}
	return r.json(c.t)
}

// fixture is a started App with a business ready to book: an owner, a
// paid service (60 min, 50.00 EUR, 15 min buffer after), a free one (30
// min), the implicit staff member open Monday–Friday 09:00–17:00 Berlin.
type fixture struct {
	h         *apptest.Harness
	clock     *clock
	owner     client
	anon      client
	bizID     string
	subdomain string
	paidID    string
	freeID    string
	staffID   string
}

// config returns an App configuration running auth, business and
// scheduling (not payment: the tests publish its events themselves) on a
// manual clock.
func config(t testing.TB, engine sqldb.Engine, c *clock) app.Config {
	cfg := apptest.Config(t, engine)
	cfg.Services = []string{"auth", "business", "scheduling"}
	cfg.Clock = c.Now
	cfg.AccessTokenTTL = 30 * 24 * time.Hour
	cfg.HoldDuration = 15 * time.Minute
	return cfg
}

func setup(t *testing.T, engine sqldb.Engine) *fixture {
	t.Helper()
	c := &clock{now: t0}
	return setupWith(t, apptest.Start(t, config(t, engine, c)), c)
}

func setupWith(t *testing.T, h *apptest.Harness, c *clock) *fixture {
	t.Helper()
	f := &fixture{h: h, clock: c, anon: client{t: t, base: h.BaseURL}, subdomain: "ada-studio"}
	s := f.anon.must(201, "POST", "/api/v1/auth/register", obj{
		"email": "ada@example.com", "password": "correct horse battery", "firstName": "Ada", "lastName": "Lovelace", "role": "business_owner",
	})
	f.owner = client{t: t, base: h.BaseURL, token: s["accessToken"].(string)}
	biz := f.owner.must(201, "POST", "/api/v1/businesses", obj{"name": "Ada's Studio", "subdomain": f.subdomain, "timeZone": "Europe/Berlin"})
	f.bizID = biz["id"].(string)
	base := "/api/v1/businesses/" + f.bizID
	f.paidID = f.owner.must(201, "POST", base+"/services", obj{"name": "Consultation", "duration": 60, "price": 50, "currency": "EUR", "bufferAfter": 15})["id"].(string)
	f.freeID = f.owner.must(201, "POST", base+"/services", obj{"name": "Intro", "duration": 30, "price": 0, "currency": "EUR"})["id"].(string)
	staff := f.owner.must(200, "GET", base+"/staff", nil)["staff"].([]any)
	f.staffID = staff[0].(map[string]any)["id"].(string)
	var weekly []obj
	for d := 1; d <= 5; d++ {
		weekly = append(weekly, obj{"weekday": d, "start": "09:00", "end": "17:00"})
	}
	f.owner.must(200, "PUT", base+"/staff/"+f.staffID+"/availability", obj{"weekly": weekly, "overrides": []obj{}})
	apptest.WaitFor(t, "the projections to offer slots", func() bool {
		return len(f.slots(t, f.paidID, "2030-01-08")) > 0 && len(f.slots(t, f.freeID, "2030-01-08")) > 0
	})
	return f
}

// slots returns the starts offered on a Berlin date.
func (f *fixture) slots(t testing.TB, serviceID, date string) []string {
	r := f.anon.send("GET", "/api/v1/public/businesses/"+f.subdomain+"/slots?serviceId="+serviceID+"&from="+date+"&to="+date, nil, nil)
	if r.status != 200 {
		return nil
	}
	var out []string
	for _, s := range r.json(t)["slots"].([]any) {
		out = append(out, s.(map[string]any)["start"].(string))
	}
	return out
}

func (f *fixture) offered(t testing.TB, serviceID, start string) bool {
	for _, s := range f.slots(t, serviceID, start[:10]) {
		if s == start {
			return true
		}
	}
	return false
}

// guestBooking is the body of a guest's booking.
func (f *fixture) guestBooking(serviceID, start, email string) obj {
	return obj{"businessId": f.bizID, "serviceId": serviceID, "startTime": start,
		"client": obj{"name": "Grace Guest", "email": email}}
}

// events returns the stream's events of a booking, in order.
func (f *fixture) events(t testing.TB, bookingID string) []event.Envelope {
	var out []event.Envelope
	for _, ev := range eventbustest.StreamEvents(t, f.h.JS) {
		if strings.HasPrefix(ev.Type, "booking.") && strings.Contains(string(ev.Data), `"bookingId":"`+bookingID+`"`) {
			out = append(out, ev)
		}
	}
	return out
}

// waitEvent waits for an event of the booking of type typ and returns it.
func (f *fixture) waitEvent(t testing.TB, bookingID, typ string) event.Envelope {
	t.Helper()
	var found event.Envelope
	apptest.WaitFor(t, typ+" of "+bookingID, func() bool {
		for _, ev := range f.events(t, bookingID) {
			if ev.Type == typ {
				found = ev
				return true
			}
		}
		return false
	})
	return found
}

// publish publishes a foreign event (the payment service's) to the log.
func (f *fixture) publish(t testing.TB, typ, correlationID string, data any) {
	t.Helper()
	ev, err := event.New(f.clock.Now(), typ, "1.0", "payment-service", correlationID, data)
	if err != nil {
		t.Fatal(err)
	}
	eventbustest.PublishEnvelope(t, f.h.JS, ev, "", "")
}

// countRows counts the rows of a table of the scheduling database.
func (f *fixture) countRows(t testing.TB, db *sqldb.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// overlapQuery counts pairs of pending or confirmed bookings of one staff
// member whose blocked ranges overlap.
const overlapQuery = `SELECT count(*) FROM bookings a JOIN bookings b
	ON a.staff_id = b.staff_id AND a.id < b.id
	AND a.blocked_start < b.blocked_end AND b.blocked_start < a.blocked_end
	WHERE a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed')`
