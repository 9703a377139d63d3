package bench

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestPublishPublishesEveryEvent(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := Publish(ctx, PublishConfig{Events: 500, Size: 1024, Sync: SyncInterval, MaxPending: 64})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if res.Events != 500 || res.EventsPerSec <= 0 || res.DurationMs <= 0 {
		t.Fatalf("result not sane: %+v", res)
	}
	if res.BodyBytes < 1000 || res.BodyBytes > 1048 {
		t.Fatalf("body is %d bytes, want about 1024", res.BodyBytes)
	}
	if res.Machine.NumCPU < 1 || res.Machine.GoVersion == "" {
		t.Fatalf("machine facts missing: %+v", res.Machine)
	}
}

func TestPublishDefaultsToTheRealisticEnvelope(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := Publish(ctx, PublishConfig{Events: 10, Sync: SyncAlways})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if res.Sync != SyncAlways || res.MaxPending != DefaultMaxPending {
		t.Fatalf("defaults not applied: %+v", res)
	}
	if res.BodyBytes < 250 || res.BodyBytes > 600 {
		t.Fatalf("realistic envelope is %d bytes, want a few hundred", res.BodyBytes)
	}
}

func TestOutboxDrainsAndMeasuresLatency(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cfg := OutboxConfig{
			Engine: engine, DatabaseURL: os.Getenv(sqldbtest.EnvPostgresURL),
			Events: 300, RawEvents: 100, Rate: 1000, LatencyEvents: 150,
			Writers: 3, Batch: 50, AggregateEvents: 4, Sync: SyncInterval,
		}
		res, err := Outbox(ctx, cfg)
		if err != nil {
			t.Fatalf("Outbox: %v", err)
		}
		if res.Write.Events != 300 || res.Drain.Events != 300 || res.RawPublish.Events != 100 {
			t.Fatalf("counts do not match: write %d, drain %d, raw %d", res.Write.Events, res.Drain.Events, res.RawPublish.Events)
		}
		if res.Drain.EventsPerSec <= 0 || res.Write.EventsPerSec <= 0 || res.DrainVsRaw <= 0 {
			t.Fatalf("rates not sane: %+v", res)
		}
		l := res.Latency.CommitToConsumed
		if l.Samples != 150 || res.Latency.AchievedRate <= 0 {
			t.Fatalf("latency phase: %d samples at %v/s, want 150", l.Samples, res.Latency.AchievedRate)
		}
		if l.P50Ms > l.P90Ms || l.P90Ms > l.P99Ms || l.P99Ms > l.MaxMs {
			t.Fatalf("percentiles out of order: %+v", l)
		}
		if d := res.Drain.Relay; d == nil || d.Claims == 0 || d.EventsPerClaim <= 0 || res.Latency.Relay.Claims == 0 {
			t.Fatalf("relay breakdown missing: drain %+v, latency %+v", res.Drain.Relay, res.Latency.Relay)
		}
		if res.Engine != engine || res.Writers != 3 || res.Batch != 50 {
			t.Fatalf("config not reported: %+v", res)
		}
	})
}

func TestOutboxRefusesBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  OutboxConfig
		want error
	}{
		{"postgres without a URL", OutboxConfig{Engine: sqldb.Postgres, Events: 1}, ErrNeedDatabaseURL},
		{"unknown sync policy", OutboxConfig{Engine: sqldb.SQLite, Events: 1, Sync: "sometimes"}, ErrBadSync},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Outbox(context.Background(), tt.cfg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Outbox(%+v) = %v, want %v", tt.cfg, err, tt.want)
			}
		})
	}
}

func TestOutboxRefusesUnknownEngine(t *testing.T) {
	t.Parallel()
	if _, err := Outbox(context.Background(), OutboxConfig{Engine: "mysql"}); err == nil {
		t.Fatal("Outbox with engine mysql succeeded, want an error")
	}
}
