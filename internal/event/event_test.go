package event_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/event"
)

func TestNewIDSortableAndUnique(t *testing.T) {
	const n = 10000
	seen := make(map[string]bool, n)
	prev := ""
	for i := 0; i < n; i++ {
		id := event.NewID()
		if !strings.HasPrefix(id, "evt_") {
			t.Fatalf("id %q lacks the evt_ prefix", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q after %d ids", id, i)
		}
		seen[id] = true
		if id <= prev {
			t.Fatalf("id %q does not sort after %q", id, prev)
		}
		prev = id
	}
}

func TestIDTime(t *testing.T) {
	t.Run("round_trip", func(t *testing.T) {
		before := time.Now().Truncate(time.Millisecond)
		id := event.NewID()
		after := time.Now()
		got, err := event.IDTime(id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Before(before) || got.After(after) || got.Location() != time.UTC {
			t.Fatalf("IDTime(%q) = %v, want UTC in [%v, %v]", id, got, before, after)
		}
		if _, err := event.IDTime(event.NewCorrelationID()); err != nil {
			t.Fatalf("correlation id: %v", err)
		}
	})
	for _, bad := range []string{"", "evt123", "evt_", "evt_notaulid", "evt_01ARZ3NDEKTSV4RRFFQ69G5FAVX"} {
		t.Run("invalid/"+bad, func(t *testing.T) {
			if _, err := event.IDTime(bad); err == nil {
				t.Fatalf("IDTime(%q) succeeded", bad)
			}
		})
	}
}

func TestMarshalJSONTimestampUTC(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	now := time.Date(2024, 1, 1, 1, 0, 0, 0, berlin)
	e, err := event.New(now, event.TypeUserDeleted, "1.0", "auth-service", "corr_1", event.UserDeleted{UserID: "user_789"})
	if err != nil {
		t.Fatal(err)
	}
	e.Timestamp = now // as if set by hand, not through New
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m["timestamp"] != "2024-01-01T00:00:00Z" {
		t.Fatalf("timestamp = %v, want 2024-01-01T00:00:00Z", m["timestamp"])
	}
	if m["correlationId"] != "corr_1" || m["type"] != "user.deleted" || m["version"] != "1.0" || m["source"] != "auth-service" {
		t.Fatalf("envelope = %s", raw)
	}
	// Pointer values marshal the same way.
	raw2, _ := json.Marshal(&e)
	if string(raw2) != string(raw) {
		t.Fatalf("pointer marshal %s != %s", raw2, raw)
	}
}

func TestNewFillsCorrelationID(t *testing.T) {
	e, err := event.New(time.Now(), event.TypeUserDeleted, "1.0", "test", "", event.UserDeleted{UserID: "u"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.CorrelationID, "corr_") || !strings.HasPrefix(e.ID, "evt_") {
		t.Fatalf("ids %q %q", e.ID, e.CorrelationID)
	}
	if _, err := event.New(time.Now(), "x.y", "1.0", "test", "", make(chan int)); err == nil {
		t.Fatal("unmarshalable data accepted")
	}
}

func TestDataAs(t *testing.T) {
	want := event.BookingConfirmed{BookingID: "booking_303", BusinessID: "biz_101", ServiceID: "svc_202", ClientID: "client_404",
		StartTime: time.Date(2024, 1, 15, 14, 0, 0, 0, time.UTC), EndTime: time.Date(2024, 1, 15, 15, 0, 0, 0, time.UTC)}
	e, _ := event.New(time.Now(), want.EventType(), "1.0", "test", "", want)
	t.Run("decodes", func(t *testing.T) {
		got, err := event.DataAs[event.BookingConfirmed](e)
		if err != nil || got != want {
			t.Fatalf("DataAs = %+v, %v", got, err)
		}
	})
	for name, data := range map[string]json.RawMessage{"missing": nil, "null": json.RawMessage("null")} {
		t.Run(name+"_data_is_ErrNoData", func(t *testing.T) {
			e := e
			e.Data = data
			if _, err := event.DataAs[event.BookingConfirmed](e); !errors.Is(err, event.ErrNoData) {
				t.Fatalf("err = %v, want ErrNoData", err)
			}
		})
	}
	t.Run("wrong_shape_fails", func(t *testing.T) {
		e := e
		e.Data = json.RawMessage(`{"bookingId": 12}`)
		if _, err := event.DataAs[event.BookingConfirmed](e); err == nil || errors.Is(err, event.ErrNoData) {
			t.Fatalf("err = %v, want a decode error", err)
		}
	})
}

func TestSubjects(t *testing.T) {
	if got := event.Subject(event.TypeBookingCreated); got != "slotwise.booking.created" {
		t.Fatalf("Subject = %q", got)
	}
	tests := []struct {
		subject, typ string
		ok           bool
	}{
		{"slotwise.booking.created", "booking.created", true},
		{"slotwise.dlq.failed_event", "dlq.failed_event", true},
		{"slotwise.", "", false},
		{"slotwise", "", false},
		{"other.booking.created", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.subject, func(t *testing.T) {
			typ, ok := event.TypeFromSubject(tt.subject)
			if ok != tt.ok || (ok && typ != tt.typ) {
				t.Fatalf("TypeFromSubject(%q) = %q, %v; want %q, %v", tt.subject, typ, ok, tt.typ, tt.ok)
			}
		})
	}
	e := event.Envelope{Type: event.TypePaymentFailed}
	if e.Subject() != "slotwise.payment.failed" {
		t.Fatalf("Envelope.Subject = %q", e.Subject())
	}
}

func TestPayloadTypesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range event.Payloads() {
		typ := p.EventType()
		if seen[typ] {
			t.Fatalf("two payload types for %s", typ)
		}
		seen[typ] = true
		if _, ok := event.TypeFromSubject(event.Subject(typ)); !ok {
			t.Fatalf("%s has no subject", typ)
		}
	}
	if !seen[event.DLQType] {
		t.Fatal("no payload type for the DLQ")
	}
}
