// Package sqlite is the payment service's Store on SQLite: its tables and
// embedded migrations, the SQL, and the translation of SQLite's errors
// into the payment package's sentinel errors. It mirrors package postgres
// file for file (store.go is the same SQL); business rules do not belong
// here.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the payment service's migrations for SQLite.
func Migrations() fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations")
}

// Store is the payment.Store on SQLite.
type Store struct{ db *sqldb.DB }

var _ payment.Store = (*Store)(nil)

// NewStore returns the Store of db (migrated with Migrations).
func NewStore(db *sqldb.DB) *Store { return &Store{db: db} }

// forUpdate is empty: SQLite's write transaction is already exclusive.
const forUpdate = ""

// q returns the transaction ctx carries, or the database. SQLite has one
// connection: inside a transaction everything must go through it.
func (s *Store) q(ctx context.Context) sqldb.Querier { return s.db.Conn(ctx) }

func (s *Store) exec(ctx context.Context, query string, args ...any) error {
	_, err := s.q(ctx).ExecContext(ctx, query, args...)
	return interpretError(err)
}

func (s *Store) result(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.q(ctx).ExecContext(ctx, query, args...)
}

func (s *Store) row(ctx context.Context, query string, args ...any) *sql.Row {
	return s.q(ctx).QueryRowContext(ctx, query, args...)
}

func (s *Store) rows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.q(ctx).QueryContext(ctx, query, args...)
}

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomically(ctx, fn)
}

// interpretError maps SQLite errors to the payment package's sentinels.
func interpretError(err error) error {
	var se *msqlite.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return payment.ErrNotFound
	case errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY):
		return errors.Join(payment.ErrDuplicate, err)
	}
	return err
}

// ts is an instant as stored: Unix microseconds.
func ts(t time.Time) any { return t.UnixMicro() }

// nullTS is ts, or NULL for the zero time.
func nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// instant scans a stored instant (NULL: the zero time).
type instant struct{ t time.Time }

// Scan implements sql.Scanner.
func (i *instant) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		i.t = time.Time{}
	case int64:
		i.t = time.UnixMicro(v).UTC()
	default:
		return fmt.Errorf("instant: unexpected %T", src)
	}
	return nil
}
