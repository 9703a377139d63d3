package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/slotwise/slotwise/internal/bench"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const benchUsage = `usage: slotwise bench <scenario> [flags]

scenarios:
  publish   raw JetStream publish rate of an embedded nats-server
  outbox    outbox drain rate and commit→consumed latency (SQLite or PostgreSQL)

Run "slotwise bench <scenario> -h" for a scenario's flags. Results go to
stdout (JSON with --json), progress to stderr.
`

// benchCmd runs `slotwise bench publish|outbox`. It returns the exit code:
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
