package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/sqldb"
)

type obj = map[string]any

// client talks HTTP to a started App as one caller ("" token: anonymous).
type client struct {
	t     *testing.T
	base  string
	token string
}

// do sends body (nil: none; []byte: raw; else JSON) with extra headers and
// returns the status and the response body.
func (c client) do(method, path string, body any, header map[string]string) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, out
}

// must sends a request that must answer want and decodes the answer.
func must(c client, want int, method, path string, body any) obj {
	c.t.Helper()
	status, raw := c.do(method, path, body, nil)
	if status != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, status, raw, want)
	}
	var out obj
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
	}
	return out
}

// start starts the App's payment service alone (the events of the others
// are published by the tests) on engine, its config changed by mut.
func start(t *testing.T, engine sqldb.Engine, mut func(*app.PaymentConfig)) *apptest.Harness {
	t.Helper()
	cfg := apptest.Config(t, engine)
	cfg.Services = []string{"payment"}
	if mut != nil {
		mut(&cfg.Payment)
	}
	return apptest.Start(t, cfg)
}

// as returns a client with a token for (userID, role) signed with the
// App's keys.
func as(t *testing.T, h *apptest.Harness, userID string, role authn.Role) client {
	t.Helper()
	keys, err := authn.LoadOrCreateKeySet(h.Config.JWTKeysPath())
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := authn.NewTokens(keys, time.Hour, nil).Issue(authn.Principal{UserID: userID, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return client{t: t, base: h.BaseURL, token: tok}
}

func anon(t *testing.T, h *apptest.Harness) client { return client{t: t, base: h.BaseURL} }

// publish puts an event of the scheduling or business service on the
// stream, as their relays would.
func publish(t *testing.T, h *apptest.Harness, at time.Time, corr string, data event.Payload) event.Envelope {
	t.Helper()
	source := "scheduling-service"
	if strings.HasPrefix(data.EventType(), "business.") {
		source = "business-service"
	}
	ev, err := event.New(at, data.EventType(), "1.0", source, corr, data)
	if err != nil {
		t.Fatal(err)
	}
	eventbustest.PublishEnvelope(t, h.JS, ev, "", "")
	return ev
}

// booking is a booking.created for a paid booking.
type booking struct {
	event.BookingCreated
	token string // the guest's manage token
}

func newBooking(business, client string, start time.Time, amount float64, currency string) booking {
	token := "tok_" + event.NewID()
	sum := sha256.Sum256([]byte(token))
	return booking{token: token, BookingCreated: event.BookingCreated{
		BookingID: "booking_" + strings.TrimPrefix(event.NewID(), "evt_"), BusinessID: business, ServiceID: "svc_1",
		ClientID: client, StartTime: start, EndTime: start.Add(time.Hour), TotalAmount: amount, Currency: currency,
		RequiresPayment: true, Status: "pending", ManageTokenHash: hex.EncodeToString(sum[:]),
	}}
}

func (b booking) cancelled() event.BookingCancelled {
	return event.BookingCancelled{BookingID: b.BookingID, BusinessID: b.BusinessID, ServiceID: b.ServiceID,
		ClientID: b.ClientID, StartTime: b.StartTime, EndTime: b.EndTime, Reason: "client_cancelled"}
}

func (b booking) expired() event.BookingExpired {
	return event.BookingExpired{BookingID: b.BookingID, BusinessID: b.BusinessID, ServiceID: b.ServiceID,
		ClientID: b.ClientID, StartTime: b.StartTime, EndTime: b.EndTime}
}

// waitPayment polls the booking's payment until it is there.
func waitPayment(t *testing.T, c client, bookingID string) obj {
	t.Helper()
	var out obj
	apptest.WaitFor(t, "the payment of "+bookingID, func() bool {
		status, raw := c.do("GET", "/api/v1/bookings/"+bookingID+"/payment", nil, nil)
		if status != 200 {
			return false
		}
		return json.Unmarshal(raw, &out) == nil
	})
	return out
}

// waitStatus polls the booking's payment until it has status.
func waitStatus(t *testing.T, c client, bookingID, status string) obj {
	t.Helper()
	var out obj
	apptest.WaitFor(t, bookingID+" payment "+status, func() bool {
		code, raw := c.do("GET", "/api/v1/bookings/"+bookingID+"/payment", nil, nil)
		return code == 200 && json.Unmarshal(raw, &out) == nil && out["status"] == status
	})
	return out
}

// paymentEvents returns the payment.* events of a booking in the stream.
func paymentEvents(t *testing.T, h *apptest.Harness, bookingID string) []event.Envelope {
	t.Helper()
	var out []event.Envelope
	for _, ev := range eventbustest.StreamEvents(t, h.JS) {
		if !strings.HasPrefix(ev.Type, "payment.") {
			continue
		}
		var d struct {
			BookingID string `json:"bookingId"`
		}
		if json.Unmarshal(ev.Data, &d) == nil && d.BookingID == bookingID {
			out = append(out, ev)
		}
	}
	return out
}

// types lists the events' types.
func types(evs []event.Envelope) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Type
	}
	return out
}

// waitTypes waits until the booking's payment events are exactly want.
func waitTypes(t *testing.T, h *apptest.Harness, bookingID string, want ...string) []event.Envelope {
	t.Helper()
	var got []event.Envelope
	apptest.WaitFor(t, bookingID+" payment events "+strings.Join(want, ","), func() bool {
		got = paymentEvents(t, h, bookingID)
		return strings.Join(types(got), ",") == strings.Join(want, ",")
	})
	return got
}

// settle waits until the payment service's booking consumer has handled
// every event published so far.
func settle(t *testing.T, h *apptest.Harness) {
	t.Helper()
	eventbustest.AwaitSettled(t, h.JS, "SLOTWISE_EVENTS", "payment-bookings")
}

func data[T any](t *testing.T, ev event.Envelope) T {
	t.Helper()
	v, err := event.DataAs[T](ev)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
