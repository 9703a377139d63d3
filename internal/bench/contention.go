package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
)

// DefaultContention is the concurrent requests of the one-slot race.
const DefaultContention = 200

// ContentionConfig configures the one-slot race.
type ContentionConfig struct {
	// Engine is sqldb.SQLite (default) or sqldb.Postgres.
	Engine sqldb.Engine
	// DatabaseURL is the PostgreSQL database in which fresh schemas are
	// made (and dropped); unused for SQLite.
	DatabaseURL string
	// Concurrency is the requests sent at once for the one slot (default
	// DefaultContention).
	Concurrency int
	// Log receives progress lines; nil discards them.
	Log *slog.Logger
}

// ContentionResult is the outcome of Contention.
type ContentionResult struct {
	Machine     Machine      `json:"machine"`
	Engine      sqldb.Engine `json:"engine"`
	Concurrency int          `json:"concurrency"`
	// Winners are the 201 answers: must be 1.
	Winners int `json:"winners"`
	// Conflicts are the 409 slot_taken answers.
	Conflicts int `json:"conflicts"`
	// Other counts any other answer by status: 0 is a transport error, a
	// negative status an answer with an unexpected reason (-409: a 409
	// other than slot_taken).
	Other map[int]int `json:"other,omitempty"`
	// DurationMs is from the gate opening to the last answer.
	DurationMs float64 `json:"duration_ms"`
	Latency    Latency `json:"latency"`
	// OneWinner is Winners == 1 and every other answer a 409 slot_taken.
	OneWinner bool `json:"one_winner"`
}

func (c *ContentionConfig) defaults() error {
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
		c.Concurrency = DefaultContention
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Contention runs the one-slot race: an App (auth, business, scheduling)
// with a business of one staff member and a free service, and
// cfg.Concurrency guests who POST /api/v1/bookings for the same slot at
// once, each on its own connection (dialled before the gate opens).
func Contention(ctx context.Context, cfg ContentionConfig) (res ContentionResult, err error) {
	if err := cfg.defaults(); err != nil {
		return res, err
	}
	res = ContentionResult{Machine: ThisMachine(time.Now()), Engine: cfg.Engine, Concurrency: cfg.Concurrency}
	a, err := startApp(ctx, appOptions{engine: cfg.Engine, databaseURL: cfg.DatabaseURL, conns: cfg.Concurrency, log: cfg.Log})
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, a.close()) }()
	offered, err := a.slots(ctx, 1)
	if err != nil {
		return res, err
	}
	if len(offered) == 0 {
		return res, errors.New("no slot offered")
	}
	if err := dial(ctx, a, cfg.Concurrency); err != nil {
		return res, err
	}
	cfg.Log.Info("contention: racing", "requests", cfg.Concurrency, "slot", offered[0].Start)
	statuses, samples, elapsed := race(ctx, a, offered[0], cfg.Concurrency)
	res.DurationMs, res.Latency = ms(elapsed), Summarise(samples)
	for status, n := range statuses {
		switch status {
		case http.StatusCreated:
			res.Winners = n
		case http.StatusConflict:
			res.Conflicts = n
		default:
			if res.Other == nil {
				res.Other = map[int]int{}
			}
			res.Other[status] = n
		}
	}
	res.OneWinner = res.Winners == 1 && res.Conflicts == cfg.Concurrency-1
	cfg.Log.Info("contention: done", "winners", res.Winners, "conflicts", res.Conflicts, "duration_ms", res.DurationMs)
	return res, nil
}

// race sends n bookings of slot at once and returns the answers' statuses
// (0 for a transport error), each request's latency and the total time.
// A 409 counts only with the reason slot_taken.
func race(ctx context.Context, a *benchApp, slot benchSlot, n int) (map[int]int, []time.Duration, time.Duration) {
	var mu sync.Mutex
	statuses := map[int]int{}
	samples := make([]time.Duration, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-gate
			t0 := time.Now()
			status, reason, err := a.book(ctx, slot, i)
			samples[i] = time.Since(t0)
			if err != nil || (status == http.StatusConflict && reason != "slot_taken") {
				status = -status
			}
			mu.Lock()
			defer mu.Unlock()
			statuses[status]++
		})
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	return statuses, samples, time.Since(start)
}

// dial opens n idle connections to the App, so that the race measures
// requests, not TCP handshakes.
func dial(ctx context.Context, a *benchApp, n int) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-gate
			status, _, err := a.send(ctx, "GET", "/healthz", "", nil)
			if err == nil && status != http.StatusOK {
				err = fmt.Errorf("GET /healthz: %d", status)
			}
			errs[i] = err
		})
	}
	close(gate)
	wg.Wait()
	return errors.Join(errs...)
}
