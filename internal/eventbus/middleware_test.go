package eventbus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

const parentTrace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

func deliveryCtx(header nats.Header) context.Context {
	return eventbus.WithDelivery(context.Background(), eventbus.Delivery{Consumer: "test-mw", Service: "test", Header: header, Attempt: 1})
}

func TestCorrelationPutsIDsTraceAndLoggerIntoContext(t *testing.T) {
	var buf bytes.Buffer
	ctx := eventbus.WithLogger(deliveryCtx(nats.Header{event.HeaderTraceparent: {parentTrace}}),
		slog.New(slog.NewJSONHandler(&buf, nil)).With("consumer", "test-mw"))
	ev := eventbustest.BookingCreated(t)
	h := eventbus.Chain(func(ctx context.Context, _ event.Envelope) error {
		if got := event.CorrelationID(ctx); got != ev.CorrelationID {
			t.Errorf("correlation id %q, want %q", got, ev.CorrelationID)
		}
		tc, ok := event.Trace(ctx)
		if !ok || tc.TraceIDString() != "0af7651916cd43dd8448eb211c80319c" || strings.Contains(tc.String(), "b7ad6b7169203331") {
			t.Errorf("trace %v (%v): want a child span of %s", tc, ok, parentTrace)
		}
		eventbus.LoggerFrom(ctx).Info("handled")
		return nil
	}, eventbus.Correlation())
	if err := h(ctx, ev); err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log line %q: %v", buf.String(), err)
	}
	want := map[string]any{"consumer": "test-mw", "event_id": ev.ID, "type": ev.Type,
		"correlation_id": ev.CorrelationID, "trace_id": "0af7651916cd43dd8448eb211c80319c"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v", k, line[k], v)
		}
	}
}

func TestCorrelationStartsATraceWithoutTraceparent(t *testing.T) {
	h := eventbus.Chain(func(ctx context.Context, _ event.Envelope) error {
		if _, ok := event.Trace(ctx); !ok {
			t.Error("no trace context in the handler")
		}
		return nil
	}, eventbus.Correlation())
	if err := h(deliveryCtx(nats.Header{}), eventbustest.BookingCreated(t)); err != nil {
		t.Fatal(err)
	}
}

func TestRecoverTurnsPanicIntoError(t *testing.T) {
	var buf bytes.Buffer
	ctx := eventbus.WithLogger(context.Background(), slog.New(slog.NewTextHandler(&buf, nil)))
	h := eventbus.Chain(func(context.Context, event.Envelope) error { panic("boom") }, eventbus.Recover())
	err := h(ctx, eventbustest.BookingCreated(t))
	if !errors.Is(err, eventbus.ErrHandlerPanic) || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v, want ErrHandlerPanic naming the panic", err)
	}
	if !strings.Contains(buf.String(), "goroutine") {
		t.Errorf("panic logged without a stack: %s", buf.String())
	}
}

func TestMeasureTimesAttemptsAndCountsFailures(t *testing.T) {
	m := eventbus.NewMetrics(nil)
	fail := true
	h := eventbus.Chain(func(context.Context, event.Envelope) error {
		if fail {
			return errors.New("nope")
		}
		return nil
	}, eventbus.Measure(m))
	ev := eventbustest.BookingCreated(t)
	_ = h(deliveryCtx(nil), ev)
	fail = false
	if err := h(deliveryCtx(nil), ev); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(m.Failed.WithLabelValues("test-mw", ev.Type)); got != 1 {
		t.Errorf("failed = %v, want 1", got)
	}
	if got := testutil.CollectAndCount(m.Processing); got != 1 {
		t.Errorf("processing series = %d, want 1", got)
	}
}

func TestIdempotentAppliesAnEventOnce(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx := context.Background()
		db := sqldbtest.Open(t, engine)
		if err := stores.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "CREATE TABLE effects (consumer TEXT NOT NULL, event_id TEXT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		inbox := stores.Inbox(db)
		calls, fail := 0, true
		h := eventbus.Chain(func(ctx context.Context, ev event.Envelope) error {
			calls++
			if err := writeEffect(ctx, ev); err != nil {
				return err
			}
			if fail {
				return errors.New("fails after writing")
			}
			return nil
		}, eventbus.Idempotent(db, inbox, func() time.Time { return now }))
		ev := eventbustest.BookingCreated(t)
		if err := h(deliveryCtx(nil), ev); err == nil {
			t.Fatal("failing handler: nil error")
		}
		fail = false
		for range 2 {
			if err := h(deliveryCtx(nil), ev); err != nil {
				t.Fatal(err)
			}
		}
		if calls != 2 {
			t.Errorf("handler called %d times, want 2 (once failing, once applying)", calls)
		}
		var effects int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM effects").Scan(&effects); err != nil || effects != 1 {
			t.Errorf("effects = %d (%v), want 1", effects, err)
		}
		if n, err := inbox.DeleteBefore(ctx, now.Add(time.Second)); err != nil || n != 1 {
			t.Errorf("DeleteBefore = %d, %v; want 1", n, err)
		}
		if n, err := inbox.DeleteBefore(ctx, now.Add(time.Second)); err != nil || n != 0 {
			t.Errorf("second DeleteBefore = %d, %v; want 0", n, err)
		}
	})
}
