// Package apptest starts the real SlotWise App in-process for acceptance
// tests of other packages: real TCP on 127.0.0.1:0, a temp data dir, every
// module, SQLite or PostgreSQL per service, and a JetStream handle on the
// embedded server for reading the event log.
//
// Test helpers only: nothing here is used by the program.
package apptest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// Harness is a started App and what a test needs to talk to it.
type Harness struct {
	App    *app.App
	Config app.Config
	// BaseURL is "http://host:port" of the App's HTTP server.
	BaseURL string
	// JS is a JetStream handle on the App's embedded NATS server.
	JS jetstream.JetStream
}

// Config returns a test configuration: a temp data dir, free ports, fast
// relay and retry timings, and every service on a fresh database of engine.
func Config(t testing.TB, engine sqldb.Engine) app.Config {
	t.Helper()
	c := app.Defaults()
	c.DataDir = t.TempDir()
	c.HTTPAddr = "127.0.0.1:0"
	c.RelayInterval = 50 * time.Millisecond
	c.LagInterval = 50 * time.Millisecond
	c.RetryBaseDelay = 10 * time.Millisecond
	c.RetryMaxDelay = 50 * time.Millisecond
	c.ShutdownTimeout = 15 * time.Second
	if engine == sqldb.Postgres {
		c.DatabaseURLs = map[string]string{}
		for _, s := range app.ModuleNames() {
			c.DatabaseURLs[s] = sqldbtest.URL(t, engine)
		}
	}
	return c
}

// Start starts an App with cfg, shut down at cleanup.
func Start(t testing.TB, cfg app.Config) *Harness {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(cfg, log)
	if err != nil {
		t.Fatalf("new app: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Start(ctx); err != nil {
		t.Fatalf("start app: %v", err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := a.Shutdown(sctx); err != nil {
			t.Errorf("shutdown app: %v", err)
		}
	})
	nc, err := nats.Connect(a.NATSURL())
	if err != nil {
		t.Fatalf("connect to the app's nats: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	return &Harness{App: a, Config: cfg, BaseURL: "http://" + a.HTTPAddr(), JS: js}
}

// StartEngine starts an App with Config(t, engine).
func StartEngine(t testing.TB, engine sqldb.Engine) *Harness {
	t.Helper()
	return Start(t, Config(t, engine))
}

// OpenDB opens a second connection to a service's database (for counting
// rows), closed at cleanup.
func (h *Harness) OpenDB(t testing.TB, service string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), h.Config.DatabaseURL(service))
	if err != nil {
		t.Fatalf("open %s database: %v", service, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// WaitFor polls cond until it holds, failing the test after 10 s.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
