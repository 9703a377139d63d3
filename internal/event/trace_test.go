package event_test

import (
	"context"
	"testing"

	"github.com/slotwise/slotwise/internal/event"
)

func TestParseTraceparent(t *testing.T) {
	const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"w3c_example_ok", valid, true},
		{"not_sampled_ok", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", true},
		{"future_version_extra_field_ok", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", true},
		{"version_00_extra_field_fails", valid + "-extra", false},
		{"version_ff_fails", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
		{"short_trace_id_fails", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", false},
		{"long_span_id_fails", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b700-01", false},
		{"short_flags_fails", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1", false},
		{"long_version_fails", "000-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
		{"uppercase_trace_id_fails", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false},
		{"uppercase_span_id_fails", "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01", false},
		{"non_hex_fails", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", false},
		{"zero_trace_id_fails", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", false},
		{"zero_span_id_fails", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false},
		{"too_few_fields_fails", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", false},
		{"empty_fails", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc, err := event.ParseTraceparent(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("ParseTraceparent(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if tt.ok && !tc.Valid() {
				t.Fatalf("parsed context not valid: %+v", tc)
			}
		})
	}
	t.Run("w3c_example_fields", func(t *testing.T) {
		tc, err := event.ParseTraceparent(valid)
		if err != nil {
			t.Fatal(err)
		}
		if tc.TraceIDString() != "4bf92f3577b34da6a3ce929d0e0e4736" || tc.Flags != 1 || tc.String() != valid {
			t.Fatalf("got %s (trace %s, flags %d)", tc, tc.TraceIDString(), tc.Flags)
		}
	})
}

func TestTraceStringRoundTrip(t *testing.T) {
	for i := 0; i < 100; i++ {
		tc := event.NewTrace()
		if !tc.Valid() || tc.Flags != 1 {
			t.Fatalf("NewTrace = %+v", tc)
		}
		got, err := event.ParseTraceparent(tc.String())
		if err != nil || got != tc {
			t.Fatalf("round trip of %s = %+v, %v", tc, got, err)
		}
		child := tc.Child()
		if child.TraceID != tc.TraceID || child.SpanID == tc.SpanID || child.Flags != tc.Flags {
			t.Fatalf("Child of %s = %s", tc, child)
		}
	}
}

func TestContextValues(t *testing.T) {
	ctx := context.Background()
	if event.CorrelationID(ctx) != "" {
		t.Fatal("correlation id in empty context")
	}
	if _, ok := event.Trace(ctx); ok {
		t.Fatal("trace in empty context")
	}
	ctx = event.WithCorrelationID(ctx, "corr_1")
	if got := event.CorrelationID(ctx); got != "corr_1" {
		t.Fatalf("CorrelationID = %q", got)
	}
	tc := event.NewTrace()
	if got, ok := event.Trace(event.WithTrace(ctx, tc)); !ok || got != tc {
		t.Fatalf("Trace = %v, %v", got, ok)
	}
	if _, ok := event.Trace(event.WithTrace(ctx, event.TraceContext{})); ok {
		t.Fatal("invalid trace context reported")
	}
}
