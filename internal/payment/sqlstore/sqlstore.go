// Package sqlstore is the payment service's Store: its SQL, written once
// with ? placeholders, runs on PostgreSQL and SQLite through the sqldb
// dialect (placeholders, instants, row locks, constraint classification).
// The migrations stay per engine, with the same numbers, under
// migrations/postgres and migrations/sqlite. Business rules do not belong
// here.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"

	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the payment service's migrations for engine.
func Migrations(engine sqldb.Engine) fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations/"+string(engine))
}

// Store is the payment.Store on a SQL database of either engine.
type Store struct{ db *sqldb.DB }

var _ payment.Store = (*Store)(nil)

// New returns the Store of db (migrated with Migrations).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomically(ctx, fn)
}

// exec runs a statement and maps its error.
func (s *Store) exec(ctx context.Context, query string, args ...any) error {
	_, err := s.db.Exec(ctx, query, args...)
	return interpretError(err)
}

// interpretError maps driver errors to the payment package's sentinels:
// no row → ErrNotFound, a unique violation → ErrDuplicate.
func interpretError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return payment.ErrNotFound
	case sqldb.IsUnique(err):
		return errors.Join(payment.ErrDuplicate, err)
	}
	return err
}
