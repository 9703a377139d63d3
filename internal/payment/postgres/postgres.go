// Package postgres is the payment service's Store on PostgreSQL: its
// tables and embedded migrations, the SQL, and the translation of
// PostgreSQL's errors (SQLSTATE) into the payment package's sentinel
// errors. It mirrors package sqlite file for file (store.go is the same
// SQL, its ? placeholders rebound to $n); business rules do not belong
// here.
package postgres

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

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the payment service's migrations for PostgreSQL.
func Migrations() fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations")
}

// Store is the payment.Store on PostgreSQL.
type Store struct{ db *sqldb.DB }

var _ payment.Store = (*Store)(nil)

// NewStore returns the Store of db (migrated with Migrations).
func NewStore(db *sqldb.DB) *Store { return &Store{db: db} }

// forUpdate locks the rows read until the transaction ends.
const forUpdate = " FOR UPDATE"

// q returns the transaction ctx carries, or the database.
func (s *Store) q(ctx context.Context) sqldb.Querier { return s.db.Conn(ctx) }

func (s *Store) exec(ctx context.Context, query string, args ...any) error {
	_, err := s.q(ctx).ExecContext(ctx, rebind(query), args...)
	return interpretError(err)
}

func (s *Store) result(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.q(ctx).ExecContext(ctx, rebind(query), args...)
}

func (s *Store) row(ctx context.Context, query string, args ...any) *sql.Row {
	return s.q(ctx).QueryRowContext(ctx, rebind(query), args...)
}

func (s *Store) rows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.q(ctx).QueryContext(ctx, rebind(query), args...)
}

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomically(ctx, fn)
}

// rebind turns the shared SQL's ? placeholders into $1, $2, ….
func rebind(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// interpretError maps PostgreSQL errors to the payment package's
// sentinels by SQLSTATE (23505: unique violation).
func interpretError(err error) error {
	var pe *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return payment.ErrNotFound
	case errors.As(err, &pe) && pe.Code == "23505":
		return errors.Join(payment.ErrDuplicate, err)
	}
	return err
}

// ts is an instant as stored: a timestamptz.
func ts(t time.Time) any { return t.UTC() }

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
	case time.Time:
		i.t = v.UTC()
	default:
		return fmt.Errorf("instant: unexpected %T", src)
	}
	return nil
}
