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

func TestSlotsMeasuresEveryCase(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cfg := SlotsConfig{
			Engine: engine, DatabaseURL: os.Getenv(sqldbtest.EnvPostgresURL),
			Queries: 20, Days: 5, Staff: []int{1, 3}, Bookings: []int{300, 0, 30},
		}
		res, err := Slots(ctx, cfg)
		if err != nil {
			t.Fatalf("Slots: %v", err)
		}
		if len(res.Cases) != 6 {
			t.Fatalf("%d cases, want 6: %+v", len(res.Cases), res.Cases)
		}
		for _, c := range res.Cases {
			if c.Query.Samples != 20 || c.Busy.Samples != 20 || c.Reads.Samples != 20 || c.Compute.Samples != 20 ||
				c.Query.P50Ms <= 0 || c.Busy.P50Ms <= 0 || c.Reads.P50Ms <= 0 || c.Busy.MaxMs > c.Query.MaxMs {
				t.Errorf("case %+v: timings not sane", c)
			}
			wantIn := min(30, inWindowPerDay*5*c.Staff)
			if c.Bookings == 0 {
				wantIn = 0
			}
			if c.InWindow != wantIn || c.BusyRows != wantIn {
				t.Errorf("staff %d, %d bookings: %d in window, %d busy rows; want %d", c.Staff, c.Bookings, c.InWindow, c.BusyRows, wantIn)
			}
			// Mon–Sat 09:00–18:00, 30 min on a 15 min step: 35 starts a
			// day, and 5 days from Tuesday 2030-01-08 are all open; each
			// booking inside the window takes 3 starts.
			if want := 5*35*c.Staff - 3*c.InWindow; c.SlotsPerQuery != want {
				t.Errorf("staff %d, %d bookings: %d slots, want %d", c.Staff, c.Bookings, c.SlotsPerQuery, want)
			}
		}
		if len(res.Goals.Flatness) != 2 {
			t.Errorf("flatness per staff count missing: %+v", res.Goals)
		}
	})
}

func TestBookingBooksOverHTTPAndRaw(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		res, err := Booking(ctx, BookingConfig{Engine: engine, DatabaseURL: os.Getenv(sqldbtest.EnvPostgresURL), Concurrency: 4, Bookings: 40, Staff: 2})
		if err != nil {
			t.Fatalf("Booking: %v", err)
		}
		if res.HTTP.Count != 40 || res.Raw.Count != 40 || res.HTTP.Latency.Samples != 40 || res.Raw.Latency.Samples != 40 {
			t.Fatalf("counts: http %+v, raw %+v; want 40 each", res.HTTP, res.Raw)
		}
		if res.HTTP.PerSec <= 0 || res.Raw.PerSec <= 0 || res.Ratio <= 0 || res.Goals.RatioMin <= 0 {
			t.Fatalf("rates not sane: %+v", res)
		}
		if res.EventsPerBooking != 2 || res.Staff != 2 || res.Concurrency != 4 || res.Engine != engine {
			t.Fatalf("config not reported: %+v", res)
		}
	})
}

func TestContentionHasOneWinner(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		res, err := Contention(ctx, ContentionConfig{Engine: engine, DatabaseURL: os.Getenv(sqldbtest.EnvPostgresURL), Concurrency: 20})
		if err != nil {
			t.Fatalf("Contention: %v", err)
		}
		if res.Winners != 1 || res.Conflicts != 19 || len(res.Other) != 0 || !res.OneWinner {
			t.Fatalf("race: %d winners, %d conflicts, other %v; want 1 and 19", res.Winners, res.Conflicts, res.Other)
		}
		if res.Latency.Samples != 20 || res.DurationMs <= 0 {
			t.Fatalf("timings not sane: %+v", res)
		}
	})
}

func TestSchedulingBenchmarksRefuseBadConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, err := Slots(ctx, SlotsConfig{Engine: sqldb.Postgres}); !errors.Is(err, ErrNeedDatabaseURL) {
		t.Errorf("Slots on postgres without a URL = %v", err)
	}
	if _, err := Booking(ctx, BookingConfig{Engine: "mysql"}); err == nil {
		t.Error("Booking on mysql succeeded")
	}
	if _, err := Contention(ctx, ContentionConfig{Engine: sqldb.Postgres}); !errors.Is(err, ErrNeedDatabaseURL) {
		t.Errorf("Contention on postgres without a URL = %v", err)
	}
}

func TestPageMeasuresTheServicePage(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		res, err := Page(ctx, PageConfig{Engine: engine, DatabaseURL: os.Getenv(sqldbtest.EnvPostgresURL), Requests: 5, Staff: 2, Bookings: 30})
		if err != nil {
			t.Fatalf("Page: %v", err)
		}
		if res.TTFB.Samples != 5 || res.TTFB.P50Ms <= 0 || res.Bookings != 30 || res.Staff != 2 || res.Engine != engine {
			t.Fatalf("result not sane: %+v", res)
		}
		b := res.Bytes
		if b.HTML <= 0 || b.Assets <= 0 || b.Total != b.HTML+b.Assets || b.HTMLRaw <= b.HTML {
			t.Fatalf("bytes not sane (the HTML should be gzipped): %+v", b)
		}
		if res.Goals.BytesMax != GoalPageBytes || res.Goals.TTFBP99MaxMs != GoalPageTTFBP99Ms {
			t.Fatalf("goals not reported: %+v", res.Goals)
		}
	})
}
