package notification_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/notification/smtptest"
	"github.com/slotwise/slotwise/internal/notification/sqlstore"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// clock is a manual clock for the App.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// config returns an App config running the notification service alone
// (the events of the others are published by the tests) with its e-mail
// going to srv and time from clk (nil: real time).
func config(t *testing.T, engine sqldb.Engine, srv *smtptest.Server, clk *clock) app.Config {
	t.Helper()
	cfg := apptest.Config(t, engine)
	cfg.Services = []string{"notification"}
	cfg.SMTPURL = srv.URL()
	cfg.MailFrom = "SlotWise <" + sender + ">"
	cfg.RelayInterval = 10 * time.Millisecond
	if clk != nil {
		cfg.Clock = clk.Now
	}
	return cfg
}

// publisher publishes events as the other services would.
type publisher struct {
	t   *testing.T
	h   *apptest.Harness
	now func() time.Time
}

func (p publisher) publish(typ, source string, data any) event.Envelope {
	p.t.Helper()
	ev, err := event.New(p.now(), typ, "1.0", source, event.NewCorrelationID(), data)
	if err != nil {
		p.t.Fatalf("%s: %v", typ, err)
	}
	eventbustest.PublishEnvelope(p.t, p.h.JS, ev, "", "")
	return ev
}

// store opens the notification database of h for inspection.
func store(t *testing.T, h *apptest.Harness) notification.Store {
	t.Helper()
	return sqlstore.New(h.OpenDB(t, "notification"))
}

// awaitMessages waits until addr has received n messages and returns them
// parsed.
func awaitMessages(t *testing.T, srv *smtptest.Server, addr string, n int) []smtptest.Parsed {
	t.Helper()
	apptest.WaitFor(t, "messages to "+addr, func() bool { return len(srv.To(addr)) >= n })
	var out []smtptest.Parsed
	for _, m := range srv.To(addr) {
		p, err := smtptest.Parse(m.Raw)
		if err != nil {
			t.Fatalf("parse message: %v\n%s", err, m.Raw)
		}
		out = append(out, p)
	}
	if len(out) != n {
		t.Fatalf("%s received %d messages, want %d", addr, len(out), n)
	}
	return out
}

// never fails when cond becomes true within d.
func never(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			t.Fatalf("unexpected: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// contains fails unless every want is in got.
func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, got)
		}
	}
}

// eventsOf returns the events of type typ in the stream.
func eventsOf(t *testing.T, h *apptest.Harness, typ string) []event.Envelope {
	t.Helper()
	var out []event.Envelope
	for _, ev := range eventbustest.StreamEvents(t, h.JS) {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

func ctx() context.Context { return context.Background() }
