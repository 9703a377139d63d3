package eventbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestRuntimeDeadLettersAfterLastAttemptThenRedrivesToThatConsumerOnly(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := newConsumerHarness(t, engine, nil)
		bad := eventbustest.BookingCreated(t)
		var failing atomic.Bool
		failing.Store(true)
		var aLog, bLog callLog
		a := h.subscribe("a", func(ctx context.Context, ev event.Envelope) error {
			aLog.record(ev.ID)
			if ev.ID == bad.ID && failing.Load() {
				return errors.New("projection store unavailable")
			}
			return writeEffect(ctx, ev)
		})
		b := h.subscribe("b", func(ctx context.Context, ev event.Envelope) error {
			bLog.record(ev.ID)
			return writeEffect(ctx, ev)
		})
		eventbustest.PublishEnvelope(t, h.js, bad, "", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
		eventbustest.AwaitCondition(t, 5*time.Second, "a DLQ entry", func() bool { return h.dlqCount() == 1 })
		if n := aLog.count(bad.ID); n != 3 {
			t.Fatalf("failing handler called %d times, want 3", n)
		}

		entries := h.dlqEntries()
		if len(entries) != 1 {
			t.Fatalf("dlq holds %d entries, want 1", len(entries))
		}
		e := entries[0]
		assertSameJSON(t, e.OriginalEvent, mustJSON(t, bad))
		if e.Consumer != a || e.RetryCount != 3 || e.EventID != bad.ID || e.EventType != bad.Type ||
			e.Subject != bad.Subject() || !strings.Contains(e.Error, "projection store unavailable") || e.Timestamp.IsZero() {
			t.Errorf("entry = %s", fmtEntry(e))
		}
		assertDLQEnvelope(t, h, e.Seq, a, bad)

		good := eventbustest.BookingCreated(t)
		eventbustest.PublishEnvelope(t, h.js, good, "", "")
		eventbustest.AwaitCondition(t, 5*time.Second, "the next event", func() bool { return h.effects(a, good.ID) == 1 })

		failing.Store(false)
		if err := h.dlq.Redrive(context.Background(), e.Seq); err != nil {
			t.Fatalf("redrive: %v", err)
		}
		eventbustest.AwaitCondition(t, 5*time.Second, "the re-driven event", func() bool { return h.effects(a, bad.ID) == 1 })
		eventbustest.AwaitSettled(t, h.js, eventbus.DLQStream, a+"-redrive")
		if n := bLog.count(bad.ID); n != 1 {
			t.Errorf("the other consumer saw the event %d times, want 1", n)
		}
		if n := h.dlqCount(); n != 0 {
			t.Errorf("dlq holds %d entries after the re-drive, want 0", n)
		}
		if err := h.dlq.Redrive(context.Background(), e.Seq); !errors.Is(err, eventbus.ErrDLQEntryNotFound) {
			t.Errorf("second redrive: %v, want ErrDLQEntryNotFound", err)
		}
		if n := h.effects(b, bad.ID); n != 1 {
			t.Errorf("consumer b applied the event %d times, want 1", n)
		}
	})
}

// assertDLQEnvelope checks the raw DLQ message is the seed's
// dlq.failed_event envelope, valid against the catalog.
func assertDLQEnvelope(t *testing.T, h *consumerHarness, seq uint64, consumer string, orig event.Envelope) {
	t.Helper()
	s, err := h.js.Stream(context.Background(), eventbus.DLQStream)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMsg(context.Background(), seq)
	if err != nil {
		t.Fatal(err)
	}
	env, err := eventbus.DecodeEnvelope(m.Data)
	if err != nil {
		t.Fatal(err)
	}
	if env.Type != event.DLQType || env.Source != "test-service" || env.CorrelationID != orig.CorrelationID {
		t.Errorf("dlq envelope type %q source %q correlation %q", env.Type, env.Source, env.CorrelationID)
	}
	var data map[string]any
	if err := json.Unmarshal(env.Data, &data); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"originalEvent", "error", "timestamp", "retryCount", "consumer", "subject"} {
		if _, ok := data[k]; !ok {
			t.Errorf("dlq data lacks %q: %s", k, env.Data)
		}
	}
	if data["retryCount"] != 3.0 || data["consumer"] != consumer {
		t.Errorf("dlq data retryCount %v consumer %v", data["retryCount"], data["consumer"])
	}
	if got := m.Header.Get("Nats-Msg-Id"); got != consumer+":"+orig.ID+":dlq" {
		t.Errorf("Nats-Msg-Id = %q", got)
	}
	if m.Header.Get(event.HeaderTraceparent) == "" {
		t.Error("dlq message lost the traceparent")
	}
}

func TestRuntimeDeadLettersRejectedMessages(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := newConsumerHarness(t, engine, nil)
		var log callLog
		durable := h.subscribe("picky", func(ctx context.Context, ev event.Envelope) error {
			log.record(ev.ID)
			return writeEffect(ctx, ev)
		}, event.TypeBookingCreated, event.TypeBookingConfirmed)
		subject := event.Subject(event.TypeBookingCreated)
		base := eventbustest.BookingCreated(t)
		confirmed, err := event.New(time.Now(), event.TypeBookingConfirmed, "1.0", "scheduling-service", "", map[string]any{
			"bookingId": "b1", "businessId": "biz", "serviceId": "svc", "clientId": "c",
			"startTime": "2024-01-15T14:00:00Z", "endTime": "2024-01-15T15:00:00Z",
		})
		if err != nil {
			t.Fatal(err)
		}
		rejected := []struct {
			name   string
			body   []byte
			reason string
		}{
			{"malformed JSON", []byte(`{"id": "evt_1", "type":`), "malformed event JSON"},
			{"unknown type", eventbustest.EnvelopeJSON(t, base, map[string]any{"id": "evt_u", "type": "booking.bogus"}), `unknown event type "booking.bogus"`},
			{"unknown version", eventbustest.EnvelopeJSON(t, base, map[string]any{"id": "evt_v", "version": "9.0"}), `unknown event version "9.0"`},
			{"missing data field", eventbustest.EnvelopeJSON(t, base, map[string]any{"id": "evt_m", "data.bookingId": nil}), "bookingId"},
			{"type not matching subject", mustJSON(t, confirmed), "does not match subject"},
		}
		for _, r := range rejected {
			eventbustest.PublishRaw(t, h.js, subject, r.body)
		}
		good := eventbustest.BookingCreated(t)
		eventbustest.PublishEnvelope(t, h.js, good, "", "")
		eventbustest.AwaitCondition(t, 5*time.Second, "the good event", func() bool { return h.effects(durable, good.ID) == 1 })
		eventbustest.AwaitCondition(t, 5*time.Second, "every rejected message in the DLQ", func() bool {
			return h.dlqCount() == uint64(len(rejected))
		})
		entries := h.dlqEntries()
		for i, r := range rejected {
			t.Run(r.name+" is dead-lettered with its reason", func(t *testing.T) {
				e := entries[i]
				if !strings.Contains(e.Error, r.reason) || e.RetryCount != 1 || e.Consumer != durable {
					t.Errorf("entry = %s, want error naming %q after 1 attempt", fmtEntry(e), r.reason)
				}
			})
		}
		if got := entries[0].OriginalEvent; string(got) != `"{\"id\": \"evt_1\", \"type\":"` {
			t.Errorf("malformed original = %s, want the bytes as a JSON string", got)
		}
		if n := log.events(); n != 1 {
			t.Errorf("handler called for %d events, want only the good one", n)
		}
	})
}

func TestDLQRedriveOfNonJSONOriginalDeadLettersItAgain(t *testing.T) {
	h := newConsumerHarness(t, sqldb.SQLite, nil)
	durable := h.subscribe("raw", writeEffect)
	eventbustest.PublishRaw(t, h.js, event.Subject(event.TypeBookingCreated), []byte("garbage"))
	eventbustest.AwaitCondition(t, 5*time.Second, "a DLQ entry", func() bool { return h.dlqCount() == 1 })
	n, err := h.dlq.RedriveAll(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("redrive all: %d, %v", n, err)
	}
	// The bytes are still not JSON: the re-drive fails permanently and
	// makes a new entry instead of being dropped as a duplicate.
	eventbustest.AwaitSettled(t, h.js, eventbus.DLQStream, durable+"-redrive")
	eventbustest.AwaitCondition(t, 5*time.Second, "the new DLQ entry", func() bool { return h.dlqCount() == 1 })
	entries := h.dlqEntries()
	if len(entries) != 1 || string(entries[0].OriginalEvent) != `"garbage"` || entries[0].Consumer != durable ||
		entries[0].Subject != event.Subject(event.TypeBookingCreated) {
		t.Errorf("entries = %d, first %s", len(entries), fmtEntry(entries[0]))
	}
}

func TestDLQRedriveUnknownSeq(t *testing.T) {
	h := newConsumerHarness(t, sqldb.SQLite, nil)
	if err := h.dlq.Redrive(context.Background(), 42); !errors.Is(err, eventbus.ErrDLQEntryNotFound) {
		t.Errorf("redrive of a missing entry: %v, want ErrDLQEntryNotFound", err)
	}
	if entries := h.dlqEntries(); len(entries) != 0 {
		t.Errorf("empty DLQ lists %d entries", len(entries))
	}
}

func TestRuntimeKeepsEventWhenDeadLetterPublishFails(t *testing.T) {
	h := newConsumerHarness(t, sqldb.SQLite, nil)
	var log callLog
	h.subscribe("lossless", func(ctx context.Context, ev event.Envelope) error {
		log.record(ev.ID)
		return eventbus.Permanent(errors.New("cannot handle"))
	})
	ctx := context.Background()
	if err := h.js.DeleteStream(ctx, eventbus.DLQStream); err != nil {
		t.Fatalf("delete DLQ stream: %v", err)
	}
	ev := eventbustest.BookingCreated(t)
	eventbustest.PublishEnvelope(t, h.js, ev, "", "")
	// With nowhere to dead-letter to, the event must come back instead of
	// being terminated.
	eventbustest.AwaitCondition(t, 5*time.Second, "a redelivery", func() bool { return log.count(ev.ID) >= 2 })
	if err := eventbus.EnsureStreams(ctx, h.js, eventbus.StreamConfig{Domains: catalog.Default().Domains()}); err != nil {
		t.Fatalf("recreate streams: %v", err)
	}
	eventbustest.AwaitCondition(t, 5*time.Second, "the DLQ entry", func() bool { return h.dlqCount() == 1 })
	if e := h.dlqEntries()[0]; e.EventID != ev.ID || e.RetryCount < 2 {
		t.Errorf("entry = %s, want event %s after ≥ 2 attempts", fmtEntry(e), ev.ID)
	}
}

func fmtEntry(e eventbus.DLQEntry) string {
	return fmt.Sprintf("{seq %d consumer %q subject %q event %q type %q error %q retryCount %d at %s original %s}",
		e.Seq, e.Consumer, e.Subject, e.EventID, e.EventType, e.Error, e.RetryCount, e.Timestamp.Format(time.RFC3339Nano), e.OriginalEvent)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func assertSameJSON(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got %s: %v", got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON differs:\n got  %s\n want %s", got, want)
	}
}
