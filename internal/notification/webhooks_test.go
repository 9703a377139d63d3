package notification_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/notification/smtptest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// receiver is a webhook endpoint on 127.0.0.1 that verifies what it gets.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	secret string
	status int
	got    []hit
}

type hit struct {
	at     time.Time
	body   []byte
	header http.Header
	verify error
}

func newReceiver(t *testing.T, status int) *receiver {
	r := &receiver{status: status}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		err := notification.Verify(r.secret, req.Header.Get(notification.SignatureHeader), body, time.Now(), 5*time.Minute)
		r.got = append(r.got, hit{at: time.Now(), body: body, header: req.Header.Clone(), verify: err})
		w.WriteHeader(r.status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) set(secret string, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret, r.status = secret, status
}

func (r *receiver) hits() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit(nil), r.got...)
}

// caller does JSON requests with a token.
type caller struct {
	t     *testing.T
	base  string
	token string
}

func (c caller) do(method, path string, body any, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %s: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

func token(t *testing.T, h *apptest.Harness, userID string) string {
	t.Helper()
	keys, err := authn.LoadOrCreateKeySet(h.Config.JWTKeysPath())
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := authn.NewTokens(keys, time.Hour, nil).Issue(authn.Principal{UserID: userID, Role: authn.RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type webhookOut struct {
	ID         string   `json:"id"`
	Secret     string   `json:"secret"`
	EventTypes []string `json:"eventTypes"`
}

type deliveriesOut struct {
	Deliveries []struct {
		ID       string `json:"id"`
		EventID  string `json:"eventId"`
		Status   string `json:"status"`
		Attempts int    `json:"attempts"`
		History  []struct {
			Attempt    int `json:"attempt"`
			StatusCode int `json:"statusCode"`
		} `json:"history"`
	} `json:"deliveries"`
}

func TestWebhooksSignedRetriedDeadLetteredResent(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		srv := smtptest.Start(t)
		cfg := config(t, engine, srv, nil)
		cfg.RelayInterval = 5 * time.Millisecond // the dispatcher's poll, below the backoff
		cfg.RetryBaseDelay, cfg.RetryMaxDelay = 40*time.Millisecond, time.Second
		h := apptest.Start(t, cfg)
		p := publisher{t: t, h: h, now: time.Now}
		seed(p)
		owner := caller{t: t, base: h.BaseURL, token: token(t, h, "user_owner")}
		other := caller{t: t, base: h.BaseURL, token: token(t, h, "user_other")}
		path := "/api/v1/businesses/biz_1/webhooks"
		apptest.WaitFor(t, "the business projection", func() bool { return owner.do("GET", path, nil, nil) == 200 })

		good, bad := newReceiver(t, 200), newReceiver(t, 500)
		if st := other.do("POST", path, map[string]any{"url": good.URL, "eventTypes": []string{"booking.created"}}, nil); st != 404 {
			t.Fatalf("another owner's POST = %d, want 404", st)
		}
		var e struct{ Error struct{ Field string } }
		if st := owner.do("POST", path, map[string]any{"url": "ftp://x", "eventTypes": []string{"booking.created"}}, &e); st != 400 || e.Error.Field != "url" {
			t.Fatalf("ftp url = %d field %q, want 400 url", st, e.Error.Field)
		}
		var w1, w2 webhookOut
		if st := owner.do("POST", path, map[string]any{"url": good.URL, "eventTypes": []string{"booking.created"}}, &w1); st != 201 || w1.Secret == "" {
			t.Fatalf("create = %d %+v", st, w1)
		}
		good.set(w1.Secret, 200)
		if st := owner.do("POST", path, map[string]any{"url": bad.URL, "eventTypes": []string{"booking.cancelled"}}, &w2); st != 201 {
			t.Fatalf("create second = %d", st)
		}
		bad.set(w2.Secret, 500)
		var list struct{ Webhooks []webhookOut }
		if owner.do("GET", path, nil, &list); len(list.Webhooks) != 2 || list.Webhooks[0].Secret != "" {
			t.Fatalf("list = %+v, want two without secrets", list)
		}

		created := p.publish(event.TypeBookingCreated, "scheduling-service", event.BookingCreated{
			BookingID: "bk_1", BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_cleo", StartTime: start,
			EndTime: start.Add(45 * time.Minute), TotalAmount: 30, Currency: "EUR", RequiresPayment: true, Status: "pending"})
		apptest.WaitFor(t, "the signed delivery", func() bool { return len(good.hits()) == 1 })
		got := good.hits()[0]
		if got.verify != nil {
			t.Fatalf("signature: %v", got.verify)
		}
		var sent event.Envelope
		if err := json.Unmarshal(got.body, &sent); err != nil || sent.ID != created.ID || got.header.Get("SlotWise-Event-Type") != "booking.created" {
			t.Fatalf("delivered %s (%v), want event %s", got.body, err, created.ID)
		}
		tampered := bytes.Replace(got.body, []byte("bk_1"), []byte("bk_X"), 1)
		if err := notification.Verify(w1.Secret, got.header.Get(notification.SignatureHeader), tampered, time.Now(), 5*time.Minute); !errors.Is(err, notification.ErrSignatureMatch) {
			t.Fatalf("tampered body verified: %v", err)
		}
		if err := notification.Verify(w1.Secret, got.header.Get(notification.SignatureHeader), got.body, time.Now().Add(10*time.Minute), 5*time.Minute); !errors.Is(err, notification.ErrSignatureStale) {
			t.Fatalf("replay 10 min later verified: %v", err)
		}

		p.publish(event.TypeBookingCancelled, "scheduling-service", event.BookingCancelled{
			BookingID: "bk_1", BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_cleo", StartTime: start,
			EndTime: start.Add(45 * time.Minute), Reason: "x"})
		dpath := path + "/" + w2.ID + "/deliveries"
		var ds deliveriesOut
		apptest.WaitFor(t, "the dead delivery", func() bool {
			return owner.do("GET", dpath, nil, &ds) == 200 && len(ds.Deliveries) == 1 && ds.Deliveries[0].Status == "dead"
		})
		hits := bad.hits()
		if len(hits) != cfg.RetryAttempts || len(ds.Deliveries[0].History) != cfg.RetryAttempts || ds.Deliveries[0].History[2].StatusCode != 500 {
			t.Fatalf("%d attempts, history %+v; want %d", len(hits), ds.Deliveries[0].History, cfg.RetryAttempts)
		}
		g1, g2 := hits[1].at.Sub(hits[0].at), hits[2].at.Sub(hits[1].at)
		if g1 < cfg.RetryBaseDelay || g2 < 2*cfg.RetryBaseDelay || g2 <= g1 {
			t.Fatalf("retry gaps %s, %s: want growing from %s", g1, g2, cfg.RetryBaseDelay)
		}
		for _, h := range hits {
			if h.verify != nil {
				t.Fatalf("retry signature: %v", h.verify)
			}
		}

		bad.set(w2.Secret, 204)
		rpath := dpath + "/" + ds.Deliveries[0].ID + "/resend"
		if st := other.do("POST", rpath, nil, nil); st != 404 {
			t.Fatalf("another owner's resend = %d, want 404", st)
		}
		if st := owner.do("POST", rpath, nil, nil); st != 202 {
			t.Fatalf("resend = %d, want 202", st)
		}
		apptest.WaitFor(t, "the resent delivery", func() bool {
			return owner.do("GET", dpath, nil, &ds) == 200 && ds.Deliveries[0].Status == "delivered"
		})
		if n := len(ds.Deliveries[0].History); n != cfg.RetryAttempts+1 {
			t.Fatalf("history after resend: %d attempts, want %d", n, cfg.RetryAttempts+1)
		}
		if st := owner.do("DELETE", path+"/"+w2.ID, nil, nil); st != 204 {
			t.Fatalf("delete = %d", st)
		}
		if st := owner.do("GET", dpath, nil, nil); st != 404 {
			t.Fatalf("deliveries of a deleted webhook = %d, want 404", st)
		}
	})
}
