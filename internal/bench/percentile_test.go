package bench

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"no samples gives zero", nil, 50, 0},
		{"one sample is every percentile", []time.Duration{7}, 99, 7},
		{"p50 of 1..100 is 50", hundred, 50, 50 * time.Millisecond},
		{"p90 of 1..100 is 90", hundred, 90, 90 * time.Millisecond},
		{"p99 of 1..100 is 99", hundred, 99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p0 is the min", hundred, 0, time.Millisecond},
		{"p50 of four rounds up the rank", []time.Duration{1, 2, 3, 4}, 50, 2},
		{"p99 of four is the max", []time.Duration{1, 2, 3, 4}, 99, 4},
		{"out-of-range p is clamped", []time.Duration{1, 2, 3}, 150, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.samples, tt.p); got != tt.want {
				t.Fatalf("Percentile(%v, %v) = %v, want %v", tt.samples, tt.p, got, tt.want)
			}
		})
	}
}

func TestSummariseSortsAndReportsMilliseconds(t *testing.T) {
	t.Parallel()
	samples := []time.Duration{4 * time.Millisecond, 1 * time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond}
	got := Summarise(samples)
	want := Latency{Samples: 4, P50Ms: 2, P90Ms: 4, P99Ms: 4, MaxMs: 4, MeanMs: 2.5}
	if got != want {
		t.Fatalf("Summarise = %+v, want %+v", got, want)
	}
	if samples[0] != time.Millisecond {
		t.Fatalf("samples not sorted in place: %v", samples)
	}
}

func TestSummariseOfNothingIsZero(t *testing.T) {
	t.Parallel()
	if got := Summarise(nil); got != (Latency{}) {
		t.Fatalf("Summarise(nil) = %+v, want zero", got)
	}
}
