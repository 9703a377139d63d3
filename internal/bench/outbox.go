package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Defaults of OutboxConfig, and the goals.
const (
	DefaultOutboxEvents    = 20_000
	DefaultRate            = 1000
	DefaultPostgresWriters = 8
	DefaultBatch           = 100
	DefaultAggregateEvents = 5
	// GoalDrainRatio is the least outbox drain rate on PostgreSQL, as a
	// fraction of the raw publish rate.
	GoalDrainRatio = 0.3
	// GoalP99Ms is the largest acceptable commit→consumed p99 at
	// GoalRate events/s offered.
	GoalP99Ms = 5.0
	GoalRate  = 1000
	// benchService is the outbox's service name.
	benchService = "scheduling"
)

// OutboxConfig configures the outbox benchmark.
type OutboxConfig struct {
	// Engine is sqldb.SQLite or sqldb.Postgres.
	Engine sqldb.Engine
	// DatabaseURL is the PostgreSQL database in which a fresh schema is
	// made (and dropped); unused for SQLite, which gets a temporary file.
	DatabaseURL string
	// Events written for the drain phase (default DefaultOutboxEvents).
	Events int
	// Rate is the offered rate of the latency phase in events/s (default
	// DefaultRate).
	Rate int
	// LatencyEvents offered in the latency phase (default min(Events,
	// 10×Rate)).
	LatencyEvents int
	// Writers are the concurrent writing goroutines (default
	// DefaultPostgresWriters on PostgreSQL, 1 on SQLite, whose one
	// connection serialises writers anyway).
	Writers int
	// Batch is the relay's batch size (default DefaultBatch).
	Batch int
	// AggregateEvents are the events per aggregate in the drain phase, all
	// written in one transaction (default DefaultAggregateEvents).
	AggregateEvents int
	// Partitions of the outbox (default eventbus.DefaultPartitions).
	Partitions int
	// Relays running at once in this process (default 1).
	Relays int
	// Sync is the JetStream fsync policy (default SyncAlways).
	Sync string
	// RawEvents is the size of the raw publish run made first for
	// comparison (default Events).
	RawEvents int
	// Log receives progress lines; nil discards them.
	Log *slog.Logger
}

// Phase is the outcome of one timed phase.
type Phase struct {
	Events       int     `json:"events"`
	DurationMs   float64 `json:"duration_ms"`
	EventsPerSec float64 `json:"events_per_sec"`
	// Relay is where the relay's time went (the drain phase only).
	Relay *RelayBreakdown `json:"relay,omitempty"`
}

// LatencyResult is the outcome of the latency phase.
type LatencyResult struct {
	// OfferedRate is the rate asked for; AchievedRate what the writers
	// committed (lower when commits cannot keep up).
	OfferedRate  int     `json:"offered_rate"`
	AchievedRate float64 `json:"achieved_rate"`
	Events       int     `json:"events"`
	// CommitToConsumed is the time from a transaction's commit returning
	// to a JetStream consumer receiving its event.
	CommitToConsumed Latency `json:"commit_to_consumed"`
	// Relay is where the relay's time went during the phase.
	Relay RelayBreakdown `json:"relay"`
}

// Goals says whether the goals were met in this run.
type Goals struct {
	DrainRatioMin float64 `json:"drain_ratio_min"`
	DrainRatioMet bool    `json:"drain_ratio_met"`
	P99MaxMs      float64 `json:"p99_max_ms"`
	P99Met        bool    `json:"p99_met"`
}

// OutboxResult is the outcome of Outbox.
type OutboxResult struct {
	Machine         Machine       `json:"machine"`
	Engine          sqldb.Engine  `json:"engine"`
	Sync            string        `json:"sync"`
	Events          int           `json:"events"`
	Rate            int           `json:"rate"`
	Writers         int           `json:"writers"`
	Batch           int           `json:"batch"`
	AggregateEvents int           `json:"aggregate_events"`
	Partitions      int           `json:"partitions"`
	Relays          int           `json:"relays"`
	RawPublish      PublishResult `json:"raw_publish"`
	Write           Phase         `json:"write"`
	Drain           Phase         `json:"drain"`
	// DrainVsRaw is Drain.EventsPerSec / RawPublish.EventsPerSec.
	DrainVsRaw float64       `json:"drain_vs_raw"`
	Latency    LatencyResult `json:"latency"`
	Goals      Goals         `json:"goals"`
}

func (c *OutboxConfig) defaults() error {
	if c.Engine != sqldb.SQLite && c.Engine != sqldb.Postgres {
		return fmt.Errorf("bench: engine %q: want sqlite or postgres", c.Engine)
	}
	if c.Engine == sqldb.Postgres && c.DatabaseURL == "" {
		return ErrNeedDatabaseURL
	}
	if c.Events <= 0 {
		c.Events = DefaultOutboxEvents
	}
	if c.Rate <= 0 {
		c.Rate = DefaultRate
	}
	if c.LatencyEvents <= 0 {
		c.LatencyEvents = min(c.Events, 10*c.Rate)
	}
	if c.Writers <= 0 {
		c.Writers = 1
		if c.Engine == sqldb.Postgres {
			c.Writers = DefaultPostgresWriters
		}
	}
	if c.Batch <= 0 {
		c.Batch = DefaultBatch
	}
	if c.AggregateEvents <= 0 {
		c.AggregateEvents = DefaultAggregateEvents
	}
	if c.Partitions <= 0 {
		c.Partitions = eventbus.DefaultPartitions
	}
	if c.Relays <= 0 {
		c.Relays = 1
	}
	if c.Sync == "" {
		c.Sync = SyncAlways
	}
	if c.Sync != SyncAlways && c.Sync != SyncInterval {
		return fmt.Errorf("%q: %w", c.Sync, ErrBadSync)
	}
	if c.RawEvents <= 0 {
		c.RawEvents = c.Events
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Outbox runs the outbox benchmark: first the raw publish benchmark for
// comparison, then, against a fresh database and a fresh embedded
// nats-server, (a) drain: cfg.Events written through Outbox.Add with the
// relay stopped, then the time for a started relay to publish them all;
// (b) latency: with the relay running, events offered at cfg.Rate, each in
// its own transaction, and the commit→consumed time of each.
func Outbox(ctx context.Context, cfg OutboxConfig) (res OutboxResult, err error) {
	if err := cfg.defaults(); err != nil {
		return res, err
	}
	started := time.Now()
	cfg.Log.Info("raw publish, for comparison", "events", cfg.RawEvents, "sync", cfg.Sync)
	raw, err := Publish(ctx, PublishConfig{Events: cfg.RawEvents, Sync: cfg.Sync, Log: cfg.Log})
	if err != nil {
		return res, fmt.Errorf("raw publish: %w", err)
	}
	run, err := newOutboxRun(ctx, cfg)
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, run.close()) }()

	res = OutboxResult{
		Machine: ThisMachine(started), Engine: cfg.Engine, Sync: cfg.Sync,
		Events: cfg.Events, Rate: cfg.Rate, Writers: cfg.Writers, Batch: cfg.Batch,
		AggregateEvents: cfg.AggregateEvents, Partitions: cfg.Partitions, Relays: cfg.Relays,
		RawPublish: raw,
	}
	if res.Write, res.Drain, err = run.drain(ctx); err != nil {
		return res, err
	}
	if raw.EventsPerSec > 0 {
		res.DrainVsRaw = round3(res.Drain.EventsPerSec / raw.EventsPerSec)
	}
	if res.Latency, err = run.latency(ctx); err != nil {
		return res, err
	}
	res.Goals = Goals{
		DrainRatioMin: GoalDrainRatio, DrainRatioMet: res.DrainVsRaw >= GoalDrainRatio,
		P99MaxMs: GoalP99Ms, P99Met: res.Latency.CommitToConsumed.P99Ms <= GoalP99Ms,
	}
	return res, nil
}

// outboxRun holds what both phases share: the database, the outbox, the
// embedded server and, once started, the relay.
type outboxRun struct {
	cfg        OutboxConfig
	db         *freshDB
	nats       *natsEnv
	outbox     *eventbus.Outbox
	store      *timedStore
	stopRelays context.CancelFunc
	relayErrs  chan error
}

func newOutboxRun(ctx context.Context, cfg OutboxConfig) (*outboxRun, error) {
	db, err := openFresh(ctx, cfg.Engine, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	env, err := startNATS(ctx, cfg.Sync, nil)
	if err != nil {
		return nil, errors.Join(err, db.close())
	}
	store := newTimedStore(stores.Outbox(db.db))
	ob := eventbus.NewOutbox(db.db, store, benchService, catalog.Default(), eventbus.OutboxOptions{Partitions: cfg.Partitions})
	return &outboxRun{cfg: cfg, db: db, nats: env, outbox: ob, store: store}, nil
}

// startRelays runs cfg.Relays relays in the background until close.
func (r *outboxRun) startRelays(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	r.stopRelays, r.relayErrs = cancel, make(chan error, r.cfg.Relays)
	for range r.cfg.Relays {
		relay := eventbus.NewRelay(r.outbox, eventbus.JetStreamPublisher{JS: r.nats.js}, eventbus.NewMetrics(nil), r.cfg.Log,
			eventbus.RelayConfig{BatchSize: r.cfg.Batch})
		go func() { r.relayErrs <- relay.Run(ctx) }()
	}
}

// close stops the relay and removes the server and the database.
func (r *outboxRun) close() error {
	var errs []error
	if r.stopRelays != nil {
		r.stopRelays()
		for range r.cfg.Relays {
			if err := <-r.relayErrs; err != nil && !errors.Is(err, context.Canceled) {
				errs = append(errs, fmt.Errorf("relay: %w", err))
			}
		}
	}
	r.nats.close()
	if err := r.db.close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
