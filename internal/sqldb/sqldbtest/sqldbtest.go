// Package sqldbtest gives tests a fresh database of each engine: SQLite in a
// temporary directory always, and PostgreSQL in a schema of its own when
// SLOTWISE_TEST_POSTGRES_URL is set. With SLOTWISE_REQUIRE_POSTGRES=1 a
// missing PostgreSQL fails the test instead of skipping it.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
)

// EnvPostgresURL and EnvRequirePostgres are the environment variables read.
const (
	EnvPostgresURL     = "SLOTWISE_TEST_POSTGRES_URL"
	EnvRequirePostgres = "SLOTWISE_REQUIRE_POSTGRES"
)

// Engines returns the engines to run a suite against: SQLite always,
// PostgreSQL when configured. Use with RunEngines or Open.
func Engines(t testing.TB) []sqldb.Engine {
	t.Helper()
	if os.Getenv(EnvPostgresURL) == "" {
		if os.Getenv(EnvRequirePostgres) == "1" {
			t.Fatalf("%s=1 but %s is not set", EnvRequirePostgres, EnvPostgresURL)
		}
		return []sqldb.Engine{sqldb.SQLite}
	}
	return []sqldb.Engine{sqldb.SQLite, sqldb.Postgres}
}

// ForEachEngine runs f as a subtest per engine ("sqlite", "postgres").
func ForEachEngine(t *testing.T, f func(t *testing.T, engine sqldb.Engine)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(string(e), func(t *testing.T) { f(t, e) })
	}
}

// URL returns the URL of a fresh, empty database of the engine: a new file
// in t.TempDir() for SQLite; for PostgreSQL a new schema (dropped at cleanup)
// selected through search_path. It skips the test when PostgreSQL is not
// configured and not required.
func URL(t testing.TB, engine sqldb.Engine) string {
	t.Helper()
	switch engine {
	case sqldb.SQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	case sqldb.Postgres:
		return postgresSchemaURL(t)
	}
	t.Fatalf("unknown engine %q", engine)
	return ""
}

// Open opens a fresh database of the engine (see URL), closed at cleanup.
func Open(t testing.TB, engine sqldb.Engine) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), URL(t, engine))
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// PostgresURL returns the configured server URL, skipping (or failing, when
// required) the test without one.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvPostgresURL)
	if u == "" {
		if os.Getenv(EnvRequirePostgres) == "1" {
			t.Fatalf("%s=1 but %s is not set", EnvRequirePostgres, EnvPostgresURL)
		}
		t.Skipf("%s not set", EnvPostgresURL)
	}
	return u
}

func postgresSchemaURL(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("postgres at %s: create schema: %v", sqldb.Redact(base), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
