// Package sqlstore is the payment service's Store in SQL that PostgreSQL
// and SQLite share word for word (? placeholders, rebound per engine); a
// Dialect supplies what differs: placeholders, row locking, how instants
// are stored, and the translation of driver errors. The engine packages
// (postgres, sqlite) hold the migrations and the dialect.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Dialect is what one engine contributes to the shared SQL.
type Dialect struct {
	// Rebind rewrites ? placeholders for the engine (nil: unchanged).
	Rebind func(query string) string
	// ForUpdate is appended to reads that lock rows until the transaction
	// ends ("" where the write transaction is exclusive anyway).
	ForUpdate string
	// TS converts an instant to its stored form.
	TS func(t time.Time) any
	// Err maps driver errors to the payment package's sentinels
	// (sql.ErrNoRows → payment.ErrNotFound, unique violations →
	// payment.ErrDuplicate).
	Err func(err error) error
}

// Store is the payment.Store on a SQL database of one engine.
type Store struct {
	db *sqldb.DB
	d  Dialect
}

var _ payment.Store = (*Store)(nil)

// New returns the Store of db speaking dialect d.
func New(db *sqldb.DB, d Dialect) *Store {
	if d.Rebind == nil {
		d.Rebind = func(q string) string { return q }
	}
	return &Store{db: db, d: d}
}

// q returns the transaction ctx carries, or the database.
func (s *Store) q(ctx context.Context) sqldb.Querier { return s.db.Conn(ctx) }

func (s *Store) exec(ctx context.Context, query string, args ...any) error {
	_, err := s.q(ctx).ExecContext(ctx, s.d.Rebind(query), args...)
	return s.d.Err(err)
}

func (s *Store) result(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.q(ctx).ExecContext(ctx, s.d.Rebind(query), args...)
}

func (s *Store) row(ctx context.Context, query string, args ...any) *sql.Row {
	return s.q(ctx).QueryRowContext(ctx, s.d.Rebind(query), args...)
}

func (s *Store) rows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.q(ctx).QueryContext(ctx, s.d.Rebind(query), args...)
}

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomically(ctx, fn)
}

// ts is an instant as stored.
func (s *Store) ts(t time.Time) any { return s.d.TS(t) }

// nullTS is ts, or NULL for the zero time.
func (s *Store) nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.d.TS(t)
}

// instant scans a stored instant of either engine: a timestamptz
// (PostgreSQL), integer Unix microseconds (SQLite), or NULL (the zero
// time).
type instant struct{ t time.Time }

// Scan implements sql.Scanner.
func (i *instant) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		i.t = time.Time{}
	case time.Time:
		i.t = v.UTC()
	case int64:
		i.t = time.UnixMicro(v).UTC()
	default:
		return fmt.Errorf("instant: unexpected %T", src)
	}
	return nil
}
