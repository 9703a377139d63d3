package eventbus_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/natsembed/natstest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// testBaseDelay keeps retries fast: attempts come back after 2×, 4× it.
const testBaseDelay = 30 * time.Millisecond

// consumerHarness is a runtime on a fresh database and JetStream server,
// with an "effects" table handlers write to through the inbox transaction.
type consumerHarness struct {
	t       *testing.T
	db      *sqldb.DB
	js      jetstream.JetStream
	rt      *eventbus.Runtime
	dlq     *eventbus.DLQ
	metrics *eventbus.Metrics
}

func newConsumerHarness(t *testing.T, engine sqldb.Engine, tweak func(*eventbus.RuntimeConfig)) *consumerHarness {
	t.Helper()
	ctx := context.Background()
	db := sqldbtest.Open(t, engine)
	if err := stores.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE effects (consumer TEXT NOT NULL, event_id TEXT NOT NULL)"); err != nil {
		t.Fatalf("effects table: %v", err)
	}
	_, _, js := natstest.StartWithStreams(t)
	h := &consumerHarness{t: t, db: db, js: js, dlq: eventbus.NewDLQ(js), metrics: eventbus.NewMetrics(prometheus.NewRegistry())}
	cfg := eventbus.RuntimeConfig{
		JS: js, DB: db, Inbox: stores.Inbox(db), Catalog: catalog.Default(), Metrics: h.metrics,
		Retry:   eventbus.RetryPolicy{Attempts: 3, BaseDelay: testBaseDelay, MaxDelay: time.Second},
		AckWait: 10 * time.Second,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	rt, err := eventbus.NewRuntime(cfg)
	if err != nil {
		t.Fatalf("runtime: %v", err)
	}
	h.rt = rt
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := rt.Stop(ctx); err != nil {
			t.Errorf("stop runtime: %v", err)
		}
	})
	return h
}

func (h *consumerHarness) subscribe(name string, handler eventbus.Handler, types ...string) string {
	h.t.Helper()
	if len(types) == 0 {
		types = []string{event.TypeBookingCreated}
	}
	sub := eventbus.Subscription{Service: "test", Name: name, Types: types, Handler: handler}
	if err := h.rt.Subscribe(context.Background(), sub); err != nil {
		h.t.Fatalf("subscribe %s: %v", name, err)
	}
	return sub.Durable()
}

// writeEffect is the handlers' effect: a row in the inbox transaction.
func writeEffect(ctx context.Context, ev event.Envelope) error {
	tx := sqldb.TxFrom(ctx)
	if tx == nil {
		return errors.New("no transaction in handler context")
	}
	d, _ := eventbus.DeliveryFrom(ctx)
	q := "INSERT INTO effects (consumer, event_id) VALUES (?, ?)"
	if tx.Engine == sqldb.Postgres {
		q = "INSERT INTO effects (consumer, event_id) VALUES ($1, $2)"
	}
	_, err := tx.ExecContext(ctx, q, d.Consumer, ev.ID)
	return err
}

func (h *consumerHarness) effects(consumer, eventID string) int {
	h.t.Helper()
	q := "SELECT count(*) FROM effects WHERE consumer = ? AND event_id = ?"
	if h.db.Engine == sqldb.Postgres {
		q = "SELECT count(*) FROM effects WHERE consumer = $1 AND event_id = $2"
	}
	var n int
	if err := h.db.QueryRowContext(context.Background(), q, consumer, eventID).Scan(&n); err != nil {
		h.t.Fatalf("count effects: %v", err)
	}
	return n
}

func (h *consumerHarness) dlqCount() uint64 {
	h.t.Helper()
	n, err := h.dlq.Count(context.Background())
	if err != nil {
		h.t.Fatalf("dlq count: %v", err)
	}
	return n
}

func (h *consumerHarness) dlqEntries() []eventbus.DLQEntry {
	h.t.Helper()
	entries, err := h.dlq.List(context.Background())
	if err != nil {
		h.t.Fatalf("dlq list: %v", err)
	}
	return entries
}

// callLog records handler calls per event id.
type callLog struct {
	mu    sync.Mutex
	times map[string][]time.Time
}

func (c *callLog) record(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.times == nil {
		c.times = map[string][]time.Time{}
	}
	c.times[id] = append(c.times[id], time.Now())
	return len(c.times[id])
}

func (c *callLog) calls(id string) []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.times[id]...)
}

func (c *callLog) count(id string) int { return len(c.calls(id)) }

// events returns how many distinct events the handler was called for.
func (c *callLog) events() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.times)
}

func TestRuntimeRetriesWithGrowingDelay(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := newConsumerHarness(t, engine, nil)
		var log callLog
		var badCtx atomic.Value
		durable := h.subscribe("flaky", func(ctx context.Context, ev event.Envelope) error {
			if event.CorrelationID(ctx) != ev.CorrelationID {
				badCtx.Store("correlation id not in context")
			}
			if err := writeEffect(ctx, ev); err != nil {
				return err
			}
			if log.record(ev.ID) <= 2 {
				return errors.New("transient failure")
			}
			return nil
		})
		ev := eventbustest.BookingCreated(t)
		eventbustest.PublishEnvelope(t, h.js, ev, "", "")
		eventbustest.AwaitCondition(t, 5*time.Second, "the effect", func() bool { return h.effects(durable, ev.ID) == 1 })
		eventbustest.AwaitSettled(t, h.js, eventbus.EventStream, durable)

		calls := log.calls(ev.ID)
		if len(calls) != 3 {
			t.Fatalf("handler called %d times, want 3", len(calls))
		}
		first, second := calls[1].Sub(calls[0]), calls[2].Sub(calls[1])
		// Each gap is at least its NakWithDelay delay, and those grow (2×,
		// then 4× the base). The gaps themselves need not grow: on a loaded
		// machine the first redelivery can be late by more than the step.
		if first < 2*testBaseDelay || second < 4*testBaseDelay {
			t.Errorf("gaps %v then %v: want ≥ %v, then ≥ %v", first, second, 2*testBaseDelay, 4*testBaseDelay)
		}
		if n := h.effects(durable, ev.ID); n != 1 {
			t.Errorf("effect applied %d times, want 1 (failed attempts roll back)", n)
		}
		if v := badCtx.Load(); v != nil {
			t.Error(v)
		}
		if n := h.dlqCount(); n != 0 {
			t.Errorf("dlq holds %d entries, want 0", n)
		}
		if got := testutil.ToFloat64(h.metrics.Failed.WithLabelValues(durable, ev.Type)); got != 2 {
			t.Errorf("failed counter = %v, want 2", got)
		}
	})
}

func TestRuntimeAppliesDuplicateDeliveryOnce(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := newConsumerHarness(t, engine, nil)
		var log callLog
		durable := h.subscribe("dup", func(ctx context.Context, ev event.Envelope) error {
			log.record(ev.ID)
			return writeEffect(ctx, ev)
		})
		ev := eventbustest.BookingCreated(t)
		eventbustest.PublishEnvelope(t, h.js, ev, "first-copy", "")
		eventbustest.PublishEnvelope(t, h.js, ev, "second-copy", "")
		eventbustest.AwaitCondition(t, 5*time.Second, "both copies delivered", func() bool {
			info := eventbustest.ConsumerInfo(t, h.js, eventbus.EventStream, durable)
			return info.AckFloor.Stream == 2
		})
		if n := log.count(ev.ID); n != 1 {
			t.Errorf("handler called %d times, want 1", n)
		}
		if n := h.effects(durable, ev.ID); n != 1 {
			t.Errorf("effect applied %d times, want 1", n)
		}
	})
}

func TestRuntimeRecoversPanic(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := newConsumerHarness(t, engine, nil)
		var log callLog
		ev := eventbustest.BookingCreated(t)
		durable := h.subscribe("panicky", func(ctx context.Context, got event.Envelope) error {
			if err := writeEffect(ctx, got); err != nil {
				return err
			}
			if log.record(got.ID) == 1 && got.ID == ev.ID {
				panic("handler bug")
			}
			return nil
		})
		eventbustest.PublishEnvelope(t, h.js, ev, "", "")
		eventbustest.AwaitCondition(t, 5*time.Second, "the retried effect", func() bool { return h.effects(durable, ev.ID) == 1 })
		if n := log.count(ev.ID); n != 2 {
			t.Errorf("handler called %d times, want 2 (a panic is a failed attempt)", n)
		}
		next := eventbustest.BookingCreated(t)
		eventbustest.PublishEnvelope(t, h.js, next, "", "")
		eventbustest.AwaitCondition(t, 5*time.Second, "the next event", func() bool { return h.effects(durable, next.ID) == 1 })
		if got := testutil.ToFloat64(h.metrics.Failed.WithLabelValues(durable, ev.Type)); got != 1 {
			t.Errorf("failed counter = %v, want 1", got)
		}
	})
}

func TestRuntimeDeadLettersPermanentErrorAtOnce(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := newConsumerHarness(t, engine, nil)
		var log callLog
		durable := h.subscribe("strict", func(ctx context.Context, ev event.Envelope) error {
			log.record(ev.ID)
			return eventbus.Permanent(errors.New("booking refers to an unknown business"))
		})
		ev := eventbustest.BookingCreated(t)
		eventbustest.PublishEnvelope(t, h.js, ev, "", "")
		eventbustest.AwaitCondition(t, 5*time.Second, "a DLQ entry", func() bool { return h.dlqCount() == 1 })
		eventbustest.AwaitSettled(t, h.js, eventbus.EventStream, durable)
		if n := log.count(ev.ID); n != 1 {
			t.Errorf("handler called %d times, want 1", n)
		}
		e := h.dlqEntries()[0]
		if e.RetryCount != 1 || e.EventID != ev.ID || !strings.Contains(e.Error, "unknown business") {
			t.Errorf("entry = %s, want retryCount 1, event %s and the handler's error", fmtEntry(e), ev.ID)
		}
		if got := testutil.ToFloat64(h.metrics.DeadLettered.WithLabelValues(durable, ev.Type)); got != 1 {
			t.Errorf("dead-lettered counter = %v, want 1", got)
		}
	})
}

func TestRuntimeHandlerErrorRollsBackInboxRow(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := newConsumerHarness(t, engine, nil)
		var log callLog
		durable := h.subscribe("rollback", func(ctx context.Context, ev event.Envelope) error {
			if err := writeEffect(ctx, ev); err != nil {
				return err
			}
			if log.record(ev.ID) == 1 {
				return errors.New("fails after writing")
			}
			return nil
		})
		ev := eventbustest.BookingCreated(t)
		eventbustest.PublishEnvelope(t, h.js, ev, "", "")
		eventbustest.AwaitCondition(t, 5*time.Second, "the effect", func() bool { return h.effects(durable, ev.ID) == 1 })
		eventbustest.AwaitSettled(t, h.js, eventbus.EventStream, durable)
		if n := log.count(ev.ID); n != 2 {
			t.Errorf("handler called %d times, want 2: the redelivery must not be skipped as processed", n)
		}
		var inbox int
		if err := h.db.QueryRowContext(context.Background(), "SELECT count(*) FROM inbox_events").Scan(&inbox); err != nil || inbox != 1 {
			t.Errorf("inbox rows = %d (%v), want 1", inbox, err)
		}
	})
}

func TestRuntimeStopDrainsInFlightHandler(t *testing.T) {
	h := newConsumerHarness(t, sqldb.SQLite, nil)
	started := make(chan struct{})
	var finished atomic.Bool
	durable := h.subscribe("slow", func(ctx context.Context, ev event.Envelope) error {
		close(started)
		<-time.After(300 * time.Millisecond) // the slow work itself, not synchronisation
		finished.Store(true)
		return writeEffect(ctx, ev)
	})
	ev := eventbustest.BookingCreated(t)
	eventbustest.PublishEnvelope(t, h.js, ev, "", "")
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.rt.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if !finished.Load() {
		t.Fatal("Stop returned before the in-flight handler finished")
	}
	if n := h.effects(durable, ev.ID); n != 1 {
		t.Errorf("effect applied %d times, want 1 (committed before Stop returned)", n)
	}
	eventbustest.AwaitSettled(t, h.js, eventbus.EventStream, durable)
	if err := h.rt.Subscribe(ctx, eventbus.Subscription{Service: "test", Name: "late", Types: []string{event.TypeBookingCreated}, Handler: writeEffect}); err == nil {
		t.Error("Subscribe after Stop succeeded")
	}
}

func TestRuntimeObserveLag(t *testing.T) {
	h := newConsumerHarness(t, sqldb.SQLite, func(c *eventbus.RuntimeConfig) { c.MaxAckPending = 1 })
	eventbustest.PublishRaw(t, h.js, event.Subject(event.TypeBookingCreated), []byte("not json"))
	evs := make([]event.Envelope, 5)
	for i := range evs {
		evs[i] = eventbustest.BookingCreated(t)
		eventbustest.PublishEnvelope(t, h.js, evs[i], "", "")
	}
	started, release := make(chan struct{}, len(evs)), make(chan struct{})
	durable := h.subscribe("lagging", func(ctx context.Context, ev event.Envelope) error {
		started <- struct{}{}
		<-release
		return writeEffect(ctx, ev)
	})
	defer close(release)
	<-started
	eventbustest.AwaitCondition(t, 5*time.Second, "the malformed message in the DLQ", func() bool { return h.dlqCount() == 1 })
	if err := h.rt.ObserveLag(context.Background()); err != nil {
		t.Fatalf("observe lag: %v", err)
	}
	// One event is in the handler (ack pending), four wait undelivered.
	if got := testutil.ToFloat64(h.metrics.ConsumerPending.WithLabelValues(durable)); got != 4 {
		t.Errorf("slotwise_consumer_pending = %v, want 4", got)
	}
	if got := testutil.ToFloat64(h.metrics.DLQMessages); got != 1 {
		t.Errorf("slotwise_dlq_messages = %v, want 1", got)
	}
}

func TestRuntimeSubscribeValidates(t *testing.T) {
	h := newConsumerHarness(t, sqldb.SQLite, nil)
	ok := eventbus.Subscription{Service: "test", Name: "ok", Types: []string{event.TypeBookingCreated}, Handler: writeEffect}
	tests := map[string]func(s *eventbus.Subscription){
		"dot in name":  func(s *eventbus.Subscription) { s.Name = "a.b" },
		"empty name":   func(s *eventbus.Subscription) { s.Name = "" },
		"no types":     func(s *eventbus.Subscription) { s.Types = nil },
		"unknown type": func(s *eventbus.Subscription) { s.Types = []string{"booking.bogus"} },
		"no handler":   func(s *eventbus.Subscription) { s.Handler = nil },
	}
	for name, change := range tests {
		t.Run(name+" is rejected", func(t *testing.T) {
			s := ok
			change(&s)
			if err := h.rt.Subscribe(context.Background(), s); err == nil {
				t.Errorf("Subscribe(%+v) succeeded", s)
			}
		})
	}
	if err := h.rt.Subscribe(context.Background(), ok); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	if err := h.rt.Subscribe(context.Background(), ok); err == nil {
		t.Error("a second subscription with the same durable name succeeded")
	}
	if got := fmt.Sprint(h.rt.Consumers()); got != "[test-ok]" {
		t.Errorf("Consumers() = %s, want [test-ok]", got)
	}
}

func TestRetryPolicyDelayDoubles(t *testing.T) {
	p := eventbus.RetryPolicy{BaseDelay: time.Second, MaxDelay: 10 * time.Second}
	for attempt, want := range map[int]time.Duration{1: 2 * time.Second, 2: 4 * time.Second, 3: 8 * time.Second, 4: 10 * time.Second, 60: 10 * time.Second} {
		if got := p.Delay(attempt); got != want {
			t.Errorf("Delay(%d) = %v, want %v", attempt, got, want)
		}
	}
}
