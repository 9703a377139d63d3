// Package sqlite is the notification service's Store on SQLite: its tables
// and embedded migrations, the SQL, and the translation of SQLite's errors
// into the notification package's sentinel errors. It mirrors package
// postgres file for file; rules of the service do not belong here.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the notification service's migrations for SQLite.
func Migrations() fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations")
}

// Store is the notification.Store on SQLite.
type Store struct{ db *sqldb.DB }

var _ notification.Store = (*Store)(nil)

// NewStore returns the Store of db (migrated with Migrations).
func NewStore(db *sqldb.DB) *Store { return &Store{db: db} }

// q returns the transaction ctx carries, or the database. SQLite has one
// connection: inside a transaction everything must go through it.
func (s *Store) q(ctx context.Context) sqldb.Querier { return s.db.Conn(ctx) }

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomically(ctx, fn)
}

// interpretError maps SQLite errors to the notification package's
// sentinels.
func interpretError(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notification.ErrNotFound
	}
	return err
}

// dbTime is an instant as stored: Unix microseconds.
func dbTime(t time.Time) any { return t.UnixMicro() }

// timeCol scans a stored instant.
type timeCol struct{ t *time.Time }

// Scan implements sql.Scanner.
func (c timeCol) Scan(v any) error {
	n, ok := v.(int64)
	if !ok {
		return fmt.Errorf("instant: want an integer, got %T", v)
	}
	*c.t = time.UnixMicro(n).UTC()
	return nil
}

// scanner is a row being scanned.
type scanner = sqldb.Scanner

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
