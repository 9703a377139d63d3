package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/slotwise/slotwise/internal/bench"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const benchUsage = `usage: slotwise bench <scenario> [flags]

scenarios:
  publish   raw JetStream publish rate of an embedded nats-server
  outbox    outbox drain rate and commit→consumed latency (SQLite or PostgreSQL)
  slots     slot query p50/p99 through the scheduling service, by staff and bookings
  booking   POST /api/v1/bookings rate against a started App vs raw SQL transactions
  contention  many concurrent bookings of one slot: exactly one must win
  page      the public service page: time to first byte and bytes transferred

Run "slotwise bench <scenario> -h" for a scenario's flags. Results go to
stdout (JSON with --json), progress to stderr.
`

// benchCmd runs `slotwise bench publish|outbox|slots|booking|contention|page`. It returns the exit code:
// 0 on success, 1 when the benchmark fails, 2 for a usage error.
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, benchUsage)
		return 2
	}
	switch args[0] {
	case "publish":
		return benchPublish(ctx, args[1:], stdout, stderr)
	case "outbox":
		return benchOutbox(ctx, args[1:], stdout, stderr)
	case "slots":
		return benchSlots(ctx, args[1:], stdout, stderr)
	case "booking":
		return benchBooking(ctx, args[1:], stdout, stderr)
	case "contention":
		return benchContention(ctx, args[1:], stdout, stderr)
	case "page":
		return benchPage(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, benchUsage)
		return 0
	}
	fmt.Fprintf(stderr, "slotwise bench: unknown scenario %q\n\n%s", args[0], benchUsage)
	return 2
}

func benchPublish(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("slotwise bench publish", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.PublishConfig
	fs.IntVar(&cfg.Events, "events", bench.DefaultPublishEvents, "events to publish")
	fs.IntVar(&cfg.Size, "size", 0, "approximate message body in bytes (0: the realistic booking.created envelope)")
	fs.StringVar(&cfg.Sync, "sync", bench.SyncAlways, "JetStream fsync policy: always or interval")
	fs.IntVar(&cfg.MaxPending, "max-pending", bench.DefaultMaxPending, "async publishes in flight at most")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if code, ok := parseBenchFlags(fs, args); !ok {
		return code
	}
	if err := benchCheckPublish(cfg); err != nil {
		fmt.Fprintf(stderr, "slotwise bench publish: %v\n", err)
		return 2
	}
	cfg.Log = benchLogger(stderr)
	res, err := bench.Publish(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "slotwise bench publish: %v\n", err)
		return 1
	}
	return benchPrint(stdout, stderr, *asJSON, res, func(w io.Writer) { benchPrintPublish(w, res) })
}

func benchOutbox(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("slotwise bench outbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.OutboxConfig
	engine := fs.String("engine", "sqlite", "database engine: sqlite or postgres")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL database in which a fresh schema is made and dropped (postgres engine)")
	fs.IntVar(&cfg.Events, "events", bench.DefaultOutboxEvents, "events written and drained in the drain phase")
	fs.IntVar(&cfg.Rate, "rate", bench.DefaultRate, "offered rate of the latency phase, events/s")
	fs.IntVar(&cfg.LatencyEvents, "latency-events", 0, "events offered in the latency phase (0: min(events, 10×rate))")
	fs.IntVar(&cfg.Writers, "writers", 0, "concurrent writers (0: 8 on postgres, 1 on sqlite)")
	fs.IntVar(&cfg.Batch, "batch", bench.DefaultBatch, "relay batch size")
	fs.IntVar(&cfg.AggregateEvents, "aggregate-events", bench.DefaultAggregateEvents, "events per aggregate (one transaction) in the drain phase")
	fs.IntVar(&cfg.Partitions, "partitions", eventbus.DefaultPartitions, "outbox partitions (ordered lanes)")
	fs.IntVar(&cfg.Relays, "relays", 1, "relays running at once")
	fs.IntVar(&cfg.RawEvents, "raw-events", 0, "events of the raw publish run made for comparison (0: events)")
	fs.StringVar(&cfg.Sync, "sync", bench.SyncAlways, "JetStream fsync policy: always or interval")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if code, ok := parseBenchFlags(fs, args); !ok {
		return code
	}
	cfg.Engine = sqldb.Engine(*engine)
	if err := benchCheckOutbox(cfg); err != nil {
		fmt.Fprintf(stderr, "slotwise bench outbox: %v\n", err)
		return 2
	}
	cfg.Log = benchLogger(stderr)
	res, err := bench.Outbox(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "slotwise bench outbox: %v\n", err)
		return 1
	}
	return benchPrint(stdout, stderr, *asJSON, res, func(w io.Writer) { benchPrintOutbox(w, res) })
}

// parseBenchFlags parses args; ok is false when the command should exit
// with code (0 after -h, 2 on a bad flag or a stray argument).
func parseBenchFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2, false
	}
	return 0, true
}

func benchCheckPublish(cfg bench.PublishConfig) error {
	switch {
	case cfg.Events <= 0:
		return errors.New("--events must be positive")
	case cfg.Size < 0:
		return errors.New("--size must not be negative")
	case cfg.MaxPending <= 0:
		return errors.New("--max-pending must be positive")
	}
	return benchCheckSync(cfg.Sync)
}

func benchCheckOutbox(cfg bench.OutboxConfig) error {
	switch {
	case cfg.Engine != sqldb.SQLite && cfg.Engine != sqldb.Postgres:
		return fmt.Errorf("--engine %q: want sqlite or postgres", cfg.Engine)
	case cfg.Engine == sqldb.Postgres && cfg.DatabaseURL == "":
		return errors.New("--engine postgres needs --database-url postgres://…")
	case cfg.Events <= 0, cfg.Rate <= 0, cfg.Batch <= 0, cfg.AggregateEvents <= 0, cfg.Partitions <= 0, cfg.Relays <= 0:
		return errors.New("--events, --rate, --batch, --aggregate-events, --partitions and --relays must be positive")
	case cfg.Writers < 0, cfg.LatencyEvents < 0, cfg.RawEvents < 0:
		return errors.New("--writers, --latency-events and --raw-events must not be negative")
	}
	return benchCheckSync(cfg.Sync)
}

func benchCheckSync(s string) error {
	if s != bench.SyncAlways && s != bench.SyncInterval {
		return fmt.Errorf("--sync %q: want always or interval", s)
	}
	return nil
}

// benchLogger writes progress lines to stderr.
func benchLogger(stderr io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// benchPrint writes the result as indented JSON, or the human summary.
func benchPrint(stdout, stderr io.Writer, asJSON bool, v any, human func(io.Writer)) int {
	if !asJSON {
		human(stdout)
		return 0
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "slotwise bench: write result: %v\n", err)
		return 1
	}
	return 0
}

func benchPrintMachine(w io.Writer, m bench.Machine) {
	fmt.Fprintf(w, "machine:  %s/%s, %d CPUs, %s, %s\n", m.GOOS, m.GOARCH, m.NumCPU, m.GoVersion, m.Date.Format("2006-01-02 15:04Z"))
}

func benchPrintPublish(w io.Writer, r bench.PublishResult) {
	benchPrintMachine(w, r.Machine)
	fmt.Fprintf(w, "publish:  %d events of %d bytes, sync=%s, %d in flight\n", r.Events, r.BodyBytes, r.Sync, r.MaxPending)
	fmt.Fprintf(w, "result:   %.0f events/s (%.1f MiB/s), %.0f ms\n", r.EventsPerSec, r.MiBPerSec, r.DurationMs)
}

func benchPrintOutbox(w io.Writer, r bench.OutboxResult) {
	benchPrintMachine(w, r.Machine)
	fmt.Fprintf(w, "outbox:   engine=%s sync=%s events=%d writers=%d batch=%d events/aggregate=%d partitions=%d relays=%d\n",
		r.Engine, r.Sync, r.Events, r.Writers, r.Batch, r.AggregateEvents, r.Partitions, r.Relays)
	fmt.Fprintf(w, "raw:      %.0f events/s (%d events)\n", r.RawPublish.EventsPerSec, r.RawPublish.Events)
	fmt.Fprintf(w, "write:    %.0f events/s (%.0f ms)\n", r.Write.EventsPerSec, r.Write.DurationMs)
	fmt.Fprintf(w, "drain:    %.0f events/s (%.0f ms), %.3f× raw  [goal ≥ %.1f×: %s]\n",
		r.Drain.EventsPerSec, r.Drain.DurationMs, r.DrainVsRaw, r.Goals.DrainRatioMin, benchMet(r.Goals.DrainRatioMet))
	l := r.Latency.CommitToConsumed
	fmt.Fprintf(w, "latency:  %d events offered at %d/s (achieved %.0f/s): commit→consumed p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms  [goal p99 ≤ %.0f ms: %s]\n",
		r.Latency.Events, r.Latency.OfferedRate, r.Latency.AchievedRate, l.P50Ms, l.P90Ms, l.P99Ms, l.MaxMs, r.Goals.P99MaxMs, benchMet(r.Goals.P99Met))
}

func benchMet(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

func benchSlots(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("slotwise bench slots", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.SlotsConfig
	engine := fs.String("engine", "sqlite", "database engine: sqlite or postgres")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL database in which a fresh schema is made and dropped (postgres engine)")
	fs.IntVar(&cfg.Queries, "queries", bench.DefaultSlotQueries, "slot queries timed per case")
	fs.IntVar(&cfg.Days, "days", bench.DefaultSlotDays, "days of the queried window")
	staff := fs.String("staff", "1,10", "staff counts of the business, comma-separated")
	bookings := fs.String("bookings", "0,10000,100000", "existing booking counts, comma-separated")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if code, ok := parseBenchFlags(fs, args); !ok {
		return code
	}
	cfg.Engine = sqldb.Engine(*engine)
	var err error
	if cfg.Staff, err = benchInts(*staff, 1); err != nil {
		fmt.Fprintf(stderr, "slotwise bench slots: --staff: %v\n", err)
		return 2
	}
	if cfg.Bookings, err = benchInts(*bookings, 0); err != nil {
		fmt.Fprintf(stderr, "slotwise bench slots: --bookings: %v\n", err)
		return 2
	}
	if err := benchCheckEngine(cfg.Engine, cfg.DatabaseURL); err != nil {
		fmt.Fprintf(stderr, "slotwise bench slots: %v\n", err)
		return 2
	}
	if cfg.Queries <= 0 || cfg.Days <= 0 {
		fmt.Fprintln(stderr, "slotwise bench slots: --queries and --days must be positive")
		return 2
	}
	cfg.Log = benchLogger(stderr)
	res, err := bench.Slots(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "slotwise bench slots: %v\n", err)
		return 1
	}
	return benchPrint(stdout, stderr, *asJSON, res, func(w io.Writer) { benchPrintSlots(w, res) })
}

func benchBooking(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("slotwise bench booking", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.BookingConfig
	engine := fs.String("engine", "sqlite", "database engine: sqlite or postgres")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL database in which fresh schemas are made and dropped (postgres engine)")
	fs.IntVar(&cfg.Concurrency, "concurrency", bench.DefaultBookingConcurrency, "concurrent clients (HTTP, and SQL in the raw phase)")
	fs.IntVar(&cfg.Bookings, "bookings", bench.DefaultBookings, "bookings made in each phase")
	fs.IntVar(&cfg.Staff, "staff", bench.DefaultBookingStaff, "staff members added to the implicit one")
	fs.BoolVar(&cfg.Paid, "paid", false, "book a service that must be paid (pending, one event) instead of a free one (confirmed, two events)")
	fs.StringVar(&cfg.NATSSync, "nats-sync", "always", "the App's JetStream fsync policy: always or an interval such as 1s")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if code, ok := parseBenchFlags(fs, args); !ok {
		return code
	}
	cfg.Engine = sqldb.Engine(*engine)
	if err := benchCheckEngine(cfg.Engine, cfg.DatabaseURL); err != nil {
		fmt.Fprintf(stderr, "slotwise bench booking: %v\n", err)
		return 2
	}
	if cfg.Concurrency <= 0 || cfg.Bookings <= 0 || cfg.Staff <= 0 {
		fmt.Fprintln(stderr, "slotwise bench booking: --concurrency, --bookings and --staff must be positive")
		return 2
	}
	cfg.Log = benchLogger(stderr)
	res, err := bench.Booking(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "slotwise bench booking: %v\n", err)
		return 1
	}
	return benchPrint(stdout, stderr, *asJSON, res, func(w io.Writer) { benchPrintBooking(w, res) })
}

func benchContention(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("slotwise bench contention", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.ContentionConfig
	engine := fs.String("engine", "sqlite", "database engine: sqlite or postgres")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL database in which fresh schemas are made and dropped (postgres engine)")
	fs.IntVar(&cfg.Concurrency, "concurrency", bench.DefaultContention, "requests sent at once for the one slot")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if code, ok := parseBenchFlags(fs, args); !ok {
		return code
	}
	cfg.Engine = sqldb.Engine(*engine)
	if err := benchCheckEngine(cfg.Engine, cfg.DatabaseURL); err != nil {
		fmt.Fprintf(stderr, "slotwise bench contention: %v\n", err)
		return 2
	}
	if cfg.Concurrency <= 0 {
		fmt.Fprintln(stderr, "slotwise bench contention: --concurrency must be positive")
		return 2
	}
	cfg.Log = benchLogger(stderr)
	res, err := bench.Contention(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "slotwise bench contention: %v\n", err)
		return 1
	}
	if code := benchPrint(stdout, stderr, *asJSON, res, func(w io.Writer) { benchPrintContention(w, res) }); code != 0 {
		return code
	}
	if !res.OneWinner {
		fmt.Fprintf(stderr, "slotwise bench contention: %d winners and %d conflicts of %d requests; want exactly one winner\n", res.Winners, res.Conflicts, res.Concurrency)
		return 1
	}
	return 0
}

func benchCheckEngine(engine sqldb.Engine, url string) error {
	switch {
	case engine != sqldb.SQLite && engine != sqldb.Postgres:
		return fmt.Errorf("--engine %q: want sqlite or postgres", engine)
	case engine == sqldb.Postgres && url == "":
		return errors.New("--engine postgres needs --database-url postgres://…")
	}
	return nil
}

// benchInts parses a comma-separated list of integers of at least least.
func benchInts(s string, least int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < least {
			return nil, fmt.Errorf("%q: want comma-separated integers of at least %d", s, least)
		}
		out = append(out, n)
	}
	return out, nil
}

func benchPrintSlots(w io.Writer, r bench.SlotsResult) {
	benchPrintMachine(w, r.Machine)
	fmt.Fprintf(w, "slots:    engine=%s window=%d days, %d queries per case\n", r.Engine, r.Days, r.Queries)
	for _, c := range r.Cases {
		fmt.Fprintf(w, "  staff %3d, bookings %7d (%4d in window): %5d slots  query p50 %.3f ms p99 %.3f ms  (p50: busy query %.3f, other reads %.3f, compute %.3f ms)\n",
			c.Staff, c.Bookings, c.InWindow, c.SlotsPerQuery, c.Query.P50Ms, c.Query.P99Ms, c.Busy.P50Ms, c.Reads.P50Ms, c.Compute.P50Ms)
	}
	fmt.Fprintf(w, "goals:    p50 ≤ %.1f ms: %s; flat (p50 most/fewest bookings ≤ %.2f): %s %v\n",
		r.Goals.P50MaxMs, benchMet(r.Goals.P50Met), r.Goals.FlatnessMax, benchMet(r.Goals.FlatMet), r.Goals.Flatness)
}

func benchPrintBooking(w io.Writer, r bench.BookingResult) {
	benchPrintMachine(w, r.Machine)
	fmt.Fprintf(w, "booking:  engine=%s concurrency=%d staff=%d paid=%v events/booking=%d nats-sync=%s\n", r.Engine, r.Concurrency, r.Staff, r.Paid, r.EventsPerBooking, r.NATSSync)
	fmt.Fprintf(w, "raw:      %.0f tx/s (%d in %.0f ms), p50 %.2f ms, p99 %.2f ms\n", r.Raw.PerSec, r.Raw.Count, r.Raw.DurationMs, r.Raw.Latency.P50Ms, r.Raw.Latency.P99Ms)
	fmt.Fprintf(w, "http:     %.0f bookings/s (%d in %.0f ms), p50 %.2f ms, p99 %.2f ms\n", r.HTTP.PerSec, r.HTTP.Count, r.HTTP.DurationMs, r.HTTP.Latency.P50Ms, r.HTTP.Latency.P99Ms)
	fmt.Fprintf(w, "ratio:    %.3f× raw  [goal ≥ %.1f×: %s]\n", r.Ratio, r.Goals.RatioMin, benchMet(r.Goals.RatioMet))
}

func benchPrintContention(w io.Writer, r bench.ContentionResult) {
	benchPrintMachine(w, r.Machine)
	fmt.Fprintf(w, "contention: engine=%s, %d requests for one slot\n", r.Engine, r.Concurrency)
	fmt.Fprintf(w, "result:   %d winner(s), %d × 409 slot_taken, other %v, %.0f ms in all (p50 %.2f ms, p99 %.2f ms)  [one winner: %s]\n",
		r.Winners, r.Conflicts, r.Other, r.DurationMs, r.Latency.P50Ms, r.Latency.P99Ms, benchMet(r.OneWinner))
}

func benchPage(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("slotwise bench page", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.PageConfig
	engine := fs.String("engine", "sqlite", "database engine: sqlite or postgres")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL database in which fresh schemas are made and dropped (postgres engine)")
	fs.IntVar(&cfg.Requests, "requests", bench.DefaultPageRequests, "page fetches timed")
	fs.IntVar(&cfg.Staff, "staff", bench.DefaultPageStaff, "staff members of the business")
	fs.IntVar(&cfg.Bookings, "bookings", bench.DefaultPageBookings, "bookings in the shown month")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if code, ok := parseBenchFlags(fs, args); !ok {
		return code
	}
	cfg.Engine = sqldb.Engine(*engine)
	if err := benchCheckEngine(cfg.Engine, cfg.DatabaseURL); err != nil {
		fmt.Fprintf(stderr, "slotwise bench page: %v\n", err)
		return 2
	}
	if cfg.Requests <= 0 || cfg.Staff <= 0 || cfg.Bookings <= 0 {
		fmt.Fprintln(stderr, "slotwise bench page: --requests, --staff and --bookings must be positive")
		return 2
	}
	cfg.Log = benchLogger(stderr)
	res, err := bench.Page(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "slotwise bench page: %v\n", err)
		return 1
	}
	return benchPrint(stdout, stderr, *asJSON, res, func(w io.Writer) {
		fmt.Fprintf(w, "service page %s (%s, %d staff, %d bookings)\n", res.Path, res.Engine, res.Staff, res.Bookings)
		fmt.Fprintf(w, "  time to first byte: p50 %.2f ms, p99 %.2f ms (goal p99 <= %.0f ms: %s)\n",
			res.TTFB.P50Ms, res.TTFB.P99Ms, res.Goals.TTFBP99MaxMs, benchMet(res.Goals.TTFBMet))
		fmt.Fprintf(w, "  bytes, gzipped: HTML %d + assets %d = %d (goal <= %d: %s)\n",
			res.Bytes.HTML, res.Bytes.Assets, res.Bytes.Total, res.Goals.BytesMax, benchMet(res.Goals.BytesMet))
	})
}
