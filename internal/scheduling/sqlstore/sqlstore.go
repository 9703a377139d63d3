// Package sqlstore is the scheduling service's Store: its SQL, written once
// with ? placeholders, runs on PostgreSQL and SQLite through the sqldb
// dialect (placeholders, instants, row locks, constraint classification).
// The migrations stay per engine, with the same numbers, under
// migrations/postgres and migrations/sqlite.
//
// The engines part ways in one place only, where they rule out double
// booking differently (see bookings.go): on PostgreSQL the exclusion
// constraint bookings_no_overlap refuses an overlapping row, and its
// violation becomes scheduling.ErrSlotTaken; SQLite has no such constraint,
// so the overlap check runs inside the single writer's transaction (one
// connection, transactions begun IMMEDIATE), where no other booking's write
// can interleave. Business rules do not belong here.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"strings"

	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the scheduling service's migrations for engine.
func Migrations(engine sqldb.Engine) fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations/"+string(engine))
}

// Store is the scheduling.Store on a SQL database of either engine.
type Store struct{ db *sqldb.DB }

var _ scheduling.Store = (*Store)(nil)

// New returns the Store of db (migrated with Migrations).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomically(ctx, fn)
}

// overlapConstraint is PostgreSQL's exclusion constraint against double
// booking (migrations/postgres/00001_scheduling.sql).
const overlapConstraint = "bookings_no_overlap"

// interpretError maps driver errors to the scheduling package's sentinels
// by error code and constraint name, never by message text: no row →
// ErrNotFound, a violation of the overlap constraint → ErrSlotTaken.
func interpretError(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return scheduling.ErrNotFound
	}
	if kind, name := sqldb.Violation(err); kind == sqldb.Exclusion && name == overlapConstraint {
		return errors.Join(scheduling.ErrSlotTaken, err)
	}
	return err
}

// affected returns ErrNotFound when a statement touched no row.
func affected(res sql.Result, err error) error {
	if err != nil {
		return interpretError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return scheduling.ErrNotFound
	}
	return nil
}

func nullInt(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// in returns "(?, ?, …)" for values, which must not be empty, and the
// values as arguments. A list of placeholders rather than PostgreSQL's
// = ANY($1): SQLite has no arrays, and PostgreSQL plans x IN (…) as
// x = ANY(ARRAY[…]), the same index scan per value.
func in(values []string) (string, []any) {
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ") + ")", args
}

// scanner is a row being scanned.
type scanner = sqldb.Scanner
