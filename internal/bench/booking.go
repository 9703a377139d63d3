package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Defaults of BookingConfig, and the goals.
const (
	DefaultBookingConcurrency = 8
	DefaultBookings           = 2000
	DefaultBookingStaff       = 20
	// GoalBookingRatioPostgres and GoalBookingRatioSQLite are the least
	// HTTP booking rate as a fraction of the same-shape raw SQL
	// transaction rate.
	GoalBookingRatioPostgres = 0.5
	GoalBookingRatioSQLite   = 0.3
	// bookingSlotDays is the most days of slots the benchmark asks for.
	bookingSlotDays = 62
)

// BookingConfig configures the booking benchmark.
type BookingConfig struct {
	// Engine is sqldb.SQLite (default) or sqldb.Postgres.
	Engine sqldb.Engine
	// DatabaseURL is the PostgreSQL database in which fresh schemas are
	// made (and dropped); unused for SQLite.
	DatabaseURL string
	// Concurrency is the concurrent HTTP clients, and the raw phase's
	// concurrent SQL clients (default DefaultBookingConcurrency).
	Concurrency int
	// Bookings made in each phase (default DefaultBookings).
	Bookings int
	// Staff added to the business's implicit member (default
	// DefaultBookingStaff).
	Staff int
	// Paid books a service that must be paid: the bookings stay pending
	// (one event each) instead of being confirmed at once (two events).
	Paid bool
	// NATSSync is the App's JetStream fsync policy: "always" (default,
	// `slotwise run`'s) or an interval such as "1s" (see app.Config).
	NATSSync string
	// Log receives progress lines; nil discards them.
	Log *slog.Logger
}

// Rate is the outcome of a timed phase of transactions or requests.
type Rate struct {
	Count      int     `json:"count"`
	DurationMs float64 `json:"duration_ms"`
	PerSec     float64 `json:"per_sec"`
	Latency    Latency `json:"latency"`
}

// BookingGoals says whether the goal was met in this run.
type BookingGoals struct {
	RatioMin float64 `json:"ratio_min"`
	RatioMet bool    `json:"ratio_met"`
}

// BookingResult is the outcome of Booking.
type BookingResult struct {
	Machine     Machine      `json:"machine"`
	Engine      sqldb.Engine `json:"engine"`
	Concurrency int          `json:"concurrency"`
	Staff       int          `json:"staff"`
	Paid        bool         `json:"paid"`
	NATSSync    string       `json:"nats_sync"`
	// EventsPerBooking are the outbox rows each HTTP booking writes.
	EventsPerBooking int `json:"events_per_booking"`
	// HTTP is POST /api/v1/bookings against the started App.
	HTTP Rate `json:"http"`
	// Raw is the same-shape SQL transaction: a booking row in the
	// constrained table and one outbox row (on SQLite with the overlap
	// check the store makes instead of a constraint).
	Raw Rate `json:"raw"`
	// Ratio is HTTP.PerSec / Raw.PerSec.
	Ratio float64      `json:"ratio"`
	Goals BookingGoals `json:"goals"`
}

func (c *BookingConfig) defaults() error {
	if c.Engine == "" {
		c.Engine = sqldb.SQLite
	}
	if c.Engine != sqldb.SQLite && c.Engine != sqldb.Postgres {
		return fmt.Errorf("bench: engine %q: want sqlite or postgres", c.Engine)
	}
	if c.Engine == sqldb.Postgres && c.DatabaseURL == "" {
		return ErrNeedDatabaseURL
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultBookingConcurrency
	}
	if c.Bookings <= 0 {
		c.Bookings = DefaultBookings
	}
	if c.Staff < 0 {
		return fmt.Errorf("bench: %d staff: must not be negative", c.Staff)
	}
	if c.Staff == 0 {
		c.Staff = DefaultBookingStaff
	}
	if c.NATSSync == "" {
		c.NATSSync = app.NATSSyncAlways
	}
	if _, _, err := app.ParseSync(c.NATSSync); err != nil {
		return fmt.Errorf("bench: nats sync: %w", err)
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Booking runs the booking benchmark: first the raw phase — cfg.Bookings
// same-shape SQL transactions from cfg.Concurrency clients against a fresh
// database with the scheduling and outbox tables — then the HTTP phase: an
// App (auth, business, scheduling) started in-process with a seeded
// business, cfg.Concurrency clients booking cfg.Bookings distinct free
// slots (taken from the slot search) with POST /api/v1/bookings, after one
// warm-up booking per client.
func Booking(ctx context.Context, cfg BookingConfig) (BookingResult, error) {
	if err := cfg.defaults(); err != nil {
		return BookingResult{}, err
	}
	res := BookingResult{Machine: ThisMachine(time.Now()), Engine: cfg.Engine, Concurrency: cfg.Concurrency, Staff: cfg.Staff, Paid: cfg.Paid,
		NATSSync: cfg.NATSSync, EventsPerBooking: 2}
	if cfg.Paid {
		res.EventsPerBooking = 1
	}
	cfg.Log.Info("booking: raw SQL transactions", "engine", cfg.Engine, "transactions", cfg.Bookings, "clients", cfg.Concurrency)
	raw, err := rawBookings(ctx, cfg)
	if err != nil {
		return res, fmt.Errorf("raw phase: %w", err)
	}
	res.Raw = raw
	cfg.Log.Info("booking: raw done", "tx_per_sec", int(raw.PerSec), "p50_ms", raw.Latency.P50Ms)
	if res.HTTP, err = httpBookings(ctx, cfg); err != nil {
		return res, fmt.Errorf("http phase: %w", err)
	}
	cfg.Log.Info("booking: http done", "bookings_per_sec", int(res.HTTP.PerSec), "p50_ms", res.HTTP.Latency.P50Ms)
	if raw.PerSec > 0 {
		res.Ratio = round3(res.HTTP.PerSec / raw.PerSec)
	}
	res.Goals.RatioMin = GoalBookingRatioSQLite
	if cfg.Engine == sqldb.Postgres {
		res.Goals.RatioMin = GoalBookingRatioPostgres
	}
	res.Goals.RatioMet = res.Ratio >= res.Goals.RatioMin
	return res, nil
}

// httpBookings starts the App and books the slots over HTTP.
func httpBookings(ctx context.Context, cfg BookingConfig) (_ Rate, err error) {
	a, err := startApp(ctx, appOptions{engine: cfg.Engine, databaseURL: cfg.DatabaseURL, staff: cfg.Staff, paid: cfg.Paid,
		conns: cfg.Concurrency, natsSync: cfg.NATSSync, log: cfg.Log})
	if err != nil {
		return Rate{}, err
	}
	defer func() { err = errors.Join(err, a.close()) }()
	want := cfg.Bookings + cfg.Concurrency
	offered, err := a.slots(ctx, min(bookingSlotDays, want/(len(a.staffIDs)*24*4)+2))
	if err != nil {
		return Rate{}, err
	}
	if len(offered) < want {
		return Rate{}, fmt.Errorf("%d slots offered, %d needed: add staff", len(offered), want)
	}
	cfg.Log.Info("booking: http warm-up", "clients", cfg.Concurrency, "staff", len(a.staffIDs))
	if _, err := runClients(ctx, cfg.Concurrency, cfg.Concurrency, func(i int) error {
		return bookCreated(ctx, a, offered[i], i)
	}); err != nil {
		return Rate{}, err
	}
	cfg.Log.Info("booking: http bookings", "bookings", cfg.Bookings)
	rest := offered[cfg.Concurrency:]
	return runClients(ctx, cfg.Concurrency, cfg.Bookings, func(i int) error {
		return bookCreated(ctx, a, rest[i], cfg.Concurrency+i)
	})
}

// bookCreated books slot and fails unless the answer is 201.
func bookCreated(ctx context.Context, a *benchApp, s benchSlot, guest int) error {
	status, reason, err := a.book(ctx, s, guest)
	if err != nil {
		return err
	}
	if status != http.StatusCreated {
		return fmt.Errorf("booking %s of %s: %d %s, want 201", s.Start, s.StaffID, status, reason)
	}
	return nil
}

// runClients has clients goroutines run do(0..n-1), each index once, and
// returns the rate and the latency of the calls; it stops at the first
// error.
func runClients(ctx context.Context, clients, n int, do func(i int) error) (Rate, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	samples := make([]time.Duration, n)
	var next atomic.Int64
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				err := do(i)
				samples[i] = time.Since(t0)
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return Rate{}, firstErr
	}
	return Rate{Count: n, DurationMs: ms(elapsed), PerSec: round3(rate(n, elapsed)), Latency: Summarise(samples)}, nil
}

// rawBookings times cfg.Bookings same-shape transactions against a fresh
// database.
func rawBookings(ctx context.Context, cfg BookingConfig) (_ Rate, err error) {
	db, err := openFresh(ctx, cfg.Engine, cfg.DatabaseURL)
	if err != nil {
		return Rate{}, err
	}
	defer func() { err = errors.Join(err, db.close()) }()
	if _, err := schedulingStore(ctx, db.db); err != nil {
		return Rate{}, err
	}
	base := time.Now().Add(24 * time.Hour).Truncate(time.Hour).UTC()
	warm := rawTx{db: db.db, staff: cfg.Staff + 1, base: base.AddDate(-1, 0, 0), prefix: "booking_warm_"}
	if _, err := runClients(ctx, cfg.Concurrency, cfg.Concurrency, func(i int) error { return warm.run(ctx, i) }); err != nil {
		return Rate{}, fmt.Errorf("warm-up: %w", err)
	}
	r := rawTx{db: db.db, staff: cfg.Staff + 1, base: base, prefix: "booking_raw_"}
	return runClients(ctx, cfg.Concurrency, cfg.Bookings, func(i int) error { return r.run(ctx, i) })
}

// rawTx is the raw phase's transaction: what a booking writes, in plain
// SQL.
type rawTx struct {
	db     *sqldb.DB
	staff  int
	base   time.Time
	prefix string
}

// run writes booking i — of staff member i mod staff, 15 minutes long,
// the (i / staff)-th after base — and its booking.created outbox row, in
// one transaction.
func (r rawTx) run(ctx context.Context, i int) error {
	staff := fmt.Sprintf("staff_raw_%03d", i%r.staff)
	start := r.base.Add(time.Duration(i/r.staff) * 15 * time.Minute)
	end := start.Add(15 * time.Minute)
	id := fmt.Sprintf("%s%08d", r.prefix, i)
	row := rawRow{id: id, staff: staff, start: start, end: end, partition: i % 16}
	now := time.Now().UTC()
	data, err := json.Marshal(event.BookingCreated{BookingID: id, BusinessID: "biz_raw", ServiceID: "svc_raw", ClientID: "guest_raw",
		StartTime: start, EndTime: end, StaffID: staff, Currency: "EUR", Status: "confirmed", ClientName: "Guest", ClientEmail: "guest@bench.example"})
	if err != nil {
		return fmt.Errorf("marshal event: %w", err)
	}
	return r.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if r.db.Engine == sqldb.SQLite {
			return rawSQLite(ctx, tx, row, now, data)
		}
		return rawPostgres(ctx, tx, row, now, data)
	})
}

// rawRow is the booking a raw transaction writes.
type rawRow struct {
	id, staff  string
	start, end time.Time
	partition  int
}

func rawPostgres(ctx context.Context, tx *sqldb.Tx, b rawRow, now time.Time, data []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO bookings (id, business_id, service_id, staff_id, client_id, client_name,
		client_email, client_phone, status, start_at, end_at, blocked_start, blocked_end, total_minor, currency,
		requires_payment, hold_until, manage_token_hash, correlation_id, cancel_reason, cancelled_by, created_at, updated_at)
		VALUES ($1, 'biz_raw', 'svc_raw', $2, 'guest_raw', 'Guest', 'guest@bench.example', '', 'confirmed', $3, $4, $3, $4,
			0, 'EUR', FALSE, NULL, 'hash_' || $1, 'corr_raw', '', '', $5, $5)`, b.id, b.staff, b.start, b.end, now)
	if err != nil {
		return fmt.Errorf("insert booking: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox_events (event_id, event_type, event_version, source, correlation_id,
		occurred_at, aggregate_id, partition, event_data, traceparent, status, created_at)
		VALUES ($1, 'booking.created', '1.0', 'scheduling-service', 'corr_raw', $2, $3, $4, $5::jsonb, '', 'pending', $2)`,
		"evt_"+b.id, now, b.id, b.partition, string(data))
	if err != nil {
		return fmt.Errorf("insert outbox row: %w", err)
	}
	return nil
}

func rawSQLite(ctx context.Context, tx *sqldb.Tx, b rawRow, now time.Time, data []byte) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM bookings
		WHERE staff_id = ? AND status IN ('pending', 'confirmed') AND blocked_start < ? AND blocked_start > ?
			AND blocked_end > ? AND id <> ? LIMIT 1`,
		b.staff, b.end.UnixMicro(), b.start.Add(-scheduling.MaxBlockedSpan).UnixMicro(), b.start.UnixMicro(), b.id).Scan(&one)
	if err == nil {
		return fmt.Errorf("booking %s overlaps another", b.id)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("overlap check: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO bookings (id, business_id, service_id, staff_id, client_id, client_name,
		client_email, client_phone, status, start_at, end_at, blocked_start, blocked_end, total_minor, currency,
		requires_payment, hold_until, manage_token_hash, correlation_id, cancel_reason, cancelled_by, created_at, updated_at)
		VALUES (?1, 'biz_raw', 'svc_raw', ?2, 'guest_raw', 'Guest', 'guest@bench.example', '', 'confirmed', ?3, ?4, ?3, ?4,
			0, 'EUR', 0, NULL, 'hash_' || ?1, 'corr_raw', '', '', ?5, ?5)`, b.id, b.staff, b.start.UnixMicro(), b.end.UnixMicro(), now.UnixMicro())
	if err != nil {
		return fmt.Errorf("insert booking: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox_events (event_id, event_type, event_version, source, correlation_id,
		occurred_at, aggregate_id, partition, event_data, traceparent, status, created_at)
		VALUES (?1, 'booking.created', '1.0', 'scheduling-service', 'corr_raw', ?2, ?3, ?4, ?5, '', 'pending', ?2)`,
		"evt_"+b.id, now.UnixMicro(), b.id, b.partition, string(data))
	if err != nil {
		return fmt.Errorf("insert outbox row: %w", err)
	}
	return nil
}
