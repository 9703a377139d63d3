package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/scheduling/slots"
	"github.com/slotwise/slotwise/internal/scheduling/sqlstore"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Defaults of SlotsConfig, and the goal.
const (
	DefaultSlotQueries = 2000
	DefaultSlotDays    = 30
	// GoalSlotsP50Ms is the largest acceptable p50 of one slot query
	// (1/100 of the ~220 ms Cal.com reports for its slot building).
	GoalSlotsP50Ms = 2.2
	// GoalSlotsFlatness is the largest acceptable ratio of the p50 with the
	// most bookings to the p50 with the fewest (non-zero) bookings, the
	// bookings in the window being the same: "flat in bookings outside the
	// window".
	GoalSlotsFlatness = 1.25
	// slotWarmup queries run before each case's clock starts.
	slotWarmup = 100
	// inWindowPerDay are the bookings per staff member and day inside the
	// window (the in-window set is the same for every booking count).
	inWindowPerDay = 3
	// bulkRows is the rows per INSERT of the bulk fill.
	bulkRows = 1000
)

// The bench business of the slot benchmark.
const (
	slotBusiness  = "biz_bench"
	slotSubdomain = "bench"
	slotService   = "svc_bench"
	slotZone      = "Europe/Berlin"
)

// slotNow is the slot benchmark's fixed clock: Monday 2030-01-07 08:00 in
// Berlin, so runs are comparable (no DST change in the window).
var slotNow = time.Date(2030, 1, 7, 7, 0, 0, 0, time.UTC)

// SlotsConfig configures the slot benchmark.
type SlotsConfig struct {
	// Engine is sqldb.SQLite (default) or sqldb.Postgres.
	Engine sqldb.Engine
	// DatabaseURL is the PostgreSQL database in which a fresh schema is
	// made (and dropped); unused for SQLite.
	DatabaseURL string
	// Queries timed per case (default DefaultSlotQueries).
	Queries int
	// Days is the window's length (default DefaultSlotDays).
	Days int
	// Staff are the staff counts of the business (default 1 and 10).
	Staff []int
	// Bookings are the existing bookings' counts (default 0, 10k, 100k).
	Bookings []int
	// Log receives progress lines; nil discards them.
	Log *slog.Logger
}

// SlotsCase is the outcome of one (staff, bookings) case.
type SlotsCase struct {
	Staff    int `json:"staff"`
	Bookings int `json:"bookings"`
	// InWindow are the bookings inside the queried window (the rest lie
	// before and after it, over years).
	InWindow int `json:"bookings_in_window"`
	// SlotsPerQuery is the number of slots each query returns.
	SlotsPerQuery int `json:"slots_per_query"`
	// Query is one whole slot query (Service.Slots: the projections'
	// reads, the busy range query and slots.Compute).
	Query Latency `json:"query"`
	// Busy is the store's busy range query alone, inside Query.
	Busy Latency `json:"busy_query"`
	// Reads are the store's other reads inside Query: the business by
	// subdomain, the service, the staff list and their hours.
	Reads Latency `json:"projection_reads"`
	// Compute is the rest of Query: slots.Compute and building its input.
	Compute Latency `json:"compute"`
	// BusyRows are the busy ranges that query returns.
	BusyRows int `json:"busy_rows"`
}

// SlotsGoals says whether the goals were met in this run.
type SlotsGoals struct {
	P50MaxMs float64 `json:"p50_max_ms"`
	P50Met   bool    `json:"p50_met"`
	// Flatness is, per staff count, the p50 with the most bookings over
	// the p50 with the fewest non-zero bookings.
	Flatness    map[int]float64 `json:"flatness"`
	FlatnessMax float64         `json:"flatness_max"`
	FlatMet     bool            `json:"flat_met"`
}

// SlotsResult is the outcome of Slots.
type SlotsResult struct {
	Machine Machine      `json:"machine"`
	Engine  sqldb.Engine `json:"engine"`
	Days    int          `json:"days"`
	Queries int          `json:"queries"`
	Cases   []SlotsCase  `json:"cases"`
	Goals   SlotsGoals   `json:"goals"`
}

func (c *SlotsConfig) defaults() error {
	if c.Engine == "" {
		c.Engine = sqldb.SQLite
	}
	if c.Engine != sqldb.SQLite && c.Engine != sqldb.Postgres {
		return fmt.Errorf("bench: engine %q: want sqlite or postgres", c.Engine)
	}
	if c.Engine == sqldb.Postgres && c.DatabaseURL == "" {
		return ErrNeedDatabaseURL
	}
	if c.Queries <= 0 {
		c.Queries = DefaultSlotQueries
	}
	if c.Days <= 0 {
		c.Days = DefaultSlotDays
	}
	if c.Days > slots.MaxDays {
		return fmt.Errorf("bench: %d days: at most %d", c.Days, slots.MaxDays)
	}
	if len(c.Staff) == 0 {
		c.Staff = []int{1, 10}
	}
	if len(c.Bookings) == 0 {
		c.Bookings = []int{0, 10_000, 100_000}
	}
	c.Bookings = slices.Sorted(slices.Values(c.Bookings))
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Slots runs the slot benchmark: for each staff count, a fresh database
// with the scheduling service's tables, a business with that many staff
// (open Monday–Saturday 09:00–18:00 Berlin, a 30-minute service on a
// 15-minute step), then, for each booking count in increasing order, the
// bookings added in bulk and cfg.Queries slot queries for a cfg.Days window
// through scheduling.Service.Slots — the code path of the public slots
// endpoint without HTTP: the store's projection reads, its one indexed
// busy range query, and slots.Compute.
func Slots(ctx context.Context, cfg SlotsConfig) (SlotsResult, error) {
	if err := cfg.defaults(); err != nil {
		return SlotsResult{}, err
	}
	res := SlotsResult{Machine: ThisMachine(time.Now()), Engine: cfg.Engine, Days: cfg.Days, Queries: cfg.Queries}
	for _, staff := range cfg.Staff {
		cases, err := slotCases(ctx, cfg, staff)
		if err != nil {
			return res, err
		}
		res.Cases = append(res.Cases, cases...)
	}
	res.Goals = slotGoals(res.Cases)
	return res, nil
}

func slotGoals(cases []SlotsCase) SlotsGoals {
	g := SlotsGoals{P50MaxMs: GoalSlotsP50Ms, P50Met: true, Flatness: map[int]float64{}, FlatnessMax: GoalSlotsFlatness, FlatMet: true}
	fewest := map[int]SlotsCase{}
	for _, c := range cases {
		if c.Query.P50Ms > GoalSlotsP50Ms {
			g.P50Met = false
		}
		if c.Bookings == 0 {
			continue
		}
		if f, ok := fewest[c.Staff]; !ok || c.Bookings < f.Bookings {
			fewest[c.Staff] = c
		}
		if f := fewest[c.Staff]; f.Query.P50Ms > 0 {
			g.Flatness[c.Staff] = round3(c.Query.P50Ms / f.Query.P50Ms)
		}
	}
	for _, f := range g.Flatness {
		if f > GoalSlotsFlatness {
			g.FlatMet = false
		}
	}
	return g
}

// slotCases measures every booking count for one staff count, on one
// database that grows between the counts.
func slotCases(ctx context.Context, cfg SlotsConfig, staff int) (cases []SlotsCase, err error) {
	db, err := openFresh(ctx, cfg.Engine, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, db.close()) }()
	store, err := schedulingStore(ctx, db.db)
	if err != nil {
		return nil, err
	}
	timed := &busyTimer{Store: store}
	svc := scheduling.NewService(timed, noEvents{}, scheduling.Options{Now: func() time.Time { return slotNow }})
	if err := seedSlotBusiness(ctx, store, staff); err != nil {
		return nil, err
	}
	fill := newBookingFill(cfg, staff)
	for _, n := range cfg.Bookings {
		cfg.Log.Info("slots: adding bookings", "staff", staff, "bookings", n)
		if err := fill.growTo(ctx, db.db, n); err != nil {
			return nil, err
		}
		c, err := timeSlotQueries(ctx, cfg, svc, timed)
		if err != nil {
			return nil, err
		}
		c.Staff, c.Bookings, c.InWindow = staff, n, fill.inWindowNow()
		cfg.Log.Info("slots: measured", "staff", staff, "bookings", n, "p50_ms", c.Query.P50Ms, "p99_ms", c.Query.P99Ms, "busy_p50_ms", c.Busy.P50Ms)
		cases = append(cases, c)
	}
	return cases, nil
}

// schedulingStore migrates the scheduling service's tables into db and
// returns its store.
func schedulingStore(ctx context.Context, db *sqldb.DB) (scheduling.Store, error) {
	if _, err := db.Migrate(ctx, "scheduling", sqlstore.Migrations(db.Engine)); err != nil {
		return nil, fmt.Errorf("migrate scheduling: %w", err)
	}
	return sqlstore.New(db), nil
}

// seedSlotBusiness writes the projections of the bench business.
func seedSlotBusiness(ctx context.Context, store scheduling.Store, staff int) error {
	rules := scheduling.DefaultRules()
	b := scheduling.Business{ID: slotBusiness, OwnerID: "user_bench", Name: "Bench", Subdomain: slotSubdomain, TimeZone: slotZone, Rules: rules}
	if err := store.PutBusiness(ctx, b); err != nil {
		return fmt.Errorf("seed business: %w", err)
	}
	o := scheduling.Offering{ID: slotService, BusinessID: slotBusiness, Name: "Consultation", DurationMinutes: 30, Currency: "EUR"}
	if err := store.PutOffering(ctx, o); err != nil {
		return fmt.Errorf("seed service: %w", err)
	}
	var weekly []event.WeeklyInterval
	for d := 1; d <= 6; d++ {
		weekly = append(weekly, event.WeeklyInterval{Weekday: d, Start: "09:00", End: "18:00"})
	}
	for i := range staff {
		id := slotStaffID(i)
		if err := store.PutStaff(ctx, scheduling.Staff{ID: id, BusinessID: slotBusiness, Name: id, ServiceIDs: []string{slotService}}); err != nil {
			return fmt.Errorf("seed staff: %w", err)
		}
		a := scheduling.Availability{StaffID: id, BusinessID: slotBusiness, TimeZone: slotZone, Weekly: weekly, Overrides: []event.DateOverride{}}
		if err := store.PutAvailability(ctx, a); err != nil {
			return fmt.Errorf("seed hours: %w", err)
		}
	}
	return nil
}

func slotStaffID(i int) string { return fmt.Sprintf("staff_bench_%03d", i) }

// slotWindow returns the queried window: the cfg.Days dates from the day
// after slotNow, and its first and last instants.
func slotWindow(days int) (from, to slots.Date, start, end time.Time) {
	zone, err := time.LoadLocation(slotZone)
	if err != nil {
		panic(err) // the zone database is embedded by the scheduling package's users; cannot happen
	}
	first := slotNow.In(zone).AddDate(0, 0, 1)
	first = time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, zone)
	last := first.AddDate(0, 0, days)
	return slots.DateOf(first), slots.DateOf(last.AddDate(0, 0, -1)), first.UTC(), last.UTC()
}

// timeSlotQueries runs the warm-up and the timed queries.
func timeSlotQueries(ctx context.Context, cfg SlotsConfig, svc *scheduling.Service, timed *busyTimer) (SlotsCase, error) {
	from, to, _, _ := slotWindow(cfg.Days)
	q := scheduling.SlotQuery{Subdomain: slotSubdomain, ServiceID: slotService, From: from.String(), To: to.String()}
	var c SlotsCase
	for range slotWarmup {
		if _, err := svc.Slots(ctx, q); err != nil {
			return c, fmt.Errorf("slot query: %w", err)
		}
	}
	samples := make([]time.Duration, cfg.Queries)
	busy := make([]time.Duration, cfg.Queries)
	reads := make([]time.Duration, cfg.Queries)
	compute := make([]time.Duration, cfg.Queries)
	for i := range samples {
		timed.take()
		t0 := time.Now()
		a, err := svc.Slots(ctx, q)
		samples[i] = time.Since(t0)
		if err != nil {
			return c, fmt.Errorf("slot query: %w", err)
		}
		busy[i], reads[i], c.BusyRows = timed.take()
		compute[i] = samples[i] - busy[i] - reads[i]
		c.SlotsPerQuery = len(a.Slots)
	}
	c.Query, c.Busy, c.Reads, c.Compute = Summarise(samples), Summarise(busy), Summarise(reads), Summarise(compute)
	return c, nil
}

// busyTimer is a scheduling.Store that times the busy range query and the
// projection reads of a slot query.
type busyTimer struct {
	scheduling.Store

	mu          sync.Mutex
	busy, reads time.Duration
	rows        int
}

// Setting times the one joined read a slot query makes before it
// computes.
func (b *busyTimer) Setting(ctx context.Context, q scheduling.SettingQuery) (scheduling.Setting, error) {
	defer b.add(&b.reads, time.Now())
	return b.Store.Setting(ctx, q)
}

// Busy times the store's range query.
func (b *busyTimer) Busy(ctx context.Context, staffIDs []string, from, to time.Time) ([]scheduling.Busy, error) {
	t0 := time.Now()
	out, err := b.Store.Busy(ctx, staffIDs, from, to)
	b.add(&b.busy, t0)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rows = len(out)
	return out, err
}

// BusinessBySubdomain times the read.
func (b *busyTimer) BusinessBySubdomain(ctx context.Context, subdomain string) (scheduling.Business, error) {
	defer b.add(&b.reads, time.Now())
	return b.Store.BusinessBySubdomain(ctx, subdomain)
}

// Offering times the read.
func (b *busyTimer) Offering(ctx context.Context, id string) (scheduling.Offering, error) {
	defer b.add(&b.reads, time.Now())
	return b.Store.Offering(ctx, id)
}

// Staff times the read.
func (b *busyTimer) Staff(ctx context.Context, businessID string) ([]scheduling.Staff, error) {
	defer b.add(&b.reads, time.Now())
	return b.Store.Staff(ctx, businessID)
}

// Availability times the read.
func (b *busyTimer) Availability(ctx context.Context, staffIDs []string) (map[string]scheduling.Availability, error) {
	defer b.add(&b.reads, time.Now())
	return b.Store.Availability(ctx, staffIDs)
}

func (b *busyTimer) add(d *time.Duration, since time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	*d += time.Since(since)
}

// take returns the time in the busy query and in the other reads since
// the last take, and the rows of the last busy query.
func (b *busyTimer) take() (busy, reads time.Duration, rows int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	busy, reads, rows = b.busy, b.reads, b.rows
	b.busy, b.reads = 0, 0
	return busy, reads, rows
}

// noEvents is the Events of a service that only answers slot queries.
type noEvents struct{}

// errNoEvents is what noEvents answers.
var errNoEvents = errors.New("bench: the slot benchmark records no events")

// Record refuses: the slot benchmark records no events.
func (noEvents) Record(context.Context, string, string, any) (event.Envelope, error) {
	return event.Envelope{}, errNoEvents
}

// RecordAll refuses, as Record does.
func (noEvents) RecordAll(context.Context, string, ...event.Draft) ([]event.Envelope, error) {
	return nil, errNoEvents
}
