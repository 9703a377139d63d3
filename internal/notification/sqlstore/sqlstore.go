// Package sqlstore is the notification service's Store: its SQL, written
// once with ? placeholders, runs on PostgreSQL and SQLite through the sqldb
// dialect (placeholders, instants, row locks). The migrations stay per
// engine, with the same numbers, under migrations/postgres and
// migrations/sqlite. Its files mirror the notification package's
// (projections, deliveries, reminders, webhooks); rules of the service do
// not belong here.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the notification service's migrations for engine.
func Migrations(engine sqldb.Engine) fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations/"+string(engine))
}

// Store is the notification.Store on a SQL database of either engine.
type Store struct{ db *sqldb.DB }

var _ notification.Store = (*Store)(nil)

// New returns the Store of db (migrated with Migrations).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomically(ctx, fn)
}

// interpretError maps driver errors to the notification package's
// sentinels: no row → ErrNotFound. The service has no constraint of its
// own to report (its upserts and ON CONFLICT DO NOTHING absorb them).
func interpretError(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notification.ErrNotFound
	}
	return err
}

// joinDurations stores durations as comma-separated seconds.
func joinDurations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = strconv.FormatInt(int64(d/time.Second), 10)
	}
	return strings.Join(parts, ",")
}

func splitDurations(s string) []time.Duration {
	if s == "" {
		return nil
	}
	var out []time.Duration
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, time.Duration(n)*time.Second)
		}
	}
	return out
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
