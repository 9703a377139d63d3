package bench

import (
	"math"
	"slices"
	"time"
)

// Latency summarises a set of latency samples. Durations are written to JSON
// as float milliseconds by the *Ms fields.
type Latency struct {
	Samples int     `json:"samples"`
	P50Ms   float64 `json:"p50_ms"`
	P90Ms   float64 `json:"p90_ms"`
	P99Ms   float64 `json:"p99_ms"`
	MaxMs   float64 `json:"max_ms"`
	MeanMs  float64 `json:"mean_ms"`
}

// Percentile returns the p-th percentile (0 ≤ p ≤ 100) of sorted samples by
// the nearest-rank method: the smallest sample such that at least p percent
// of the samples are less than or equal to it. It returns 0 for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	p = math.Max(0, math.Min(100, p))
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// Summarise sorts samples in place and returns their percentiles.
func Summarise(samples []time.Duration) Latency {
	slices.Sort(samples)
	l := Latency{Samples: len(samples)}
	if len(samples) == 0 {
		return l
	}
	var sum time.Duration
	for _, d := range samples {
		sum += d
	}
	l.P50Ms = ms(Percentile(samples, 50))
	l.P90Ms = ms(Percentile(samples, 90))
	l.P99Ms = ms(Percentile(samples, 99))
	l.MaxMs = ms(samples[len(samples)-1])
	l.MeanMs = ms(sum / time.Duration(len(samples)))
	return l
}

// ms converts a duration to milliseconds, rounded to microseconds.
func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }
