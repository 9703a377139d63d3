// Package postgres is the scheduling service's Store on PostgreSQL: its
// tables and embedded migrations (with the exclusion constraint that makes
// double booking impossible), the SQL, and the translation of PostgreSQL's
// errors (SQLSTATE) into the scheduling package's sentinel errors. It
// mirrors package sqlite file for file; business rules do not belong here.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the scheduling service's migrations for PostgreSQL.
func Migrations() fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations")
}

// Store is the scheduling.Store on PostgreSQL.
type Store struct{ db *sqldb.DB }

var (
	_ scheduling.Store         = (*Store)(nil)
	_ scheduling.SettingReader = (*Store)(nil)
)

// NewStore returns the Store of db (migrated with Migrations).
func NewStore(db *sqldb.DB) *Store { return &Store{db: db} }

// q returns the transaction ctx carries, or the database.
func (s *Store) q(ctx context.Context) sqldb.Querier { return s.db.Conn(ctx) }

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomically(ctx, fn)
}

// SQLSTATEs and constraint names interpretError knows.
const (
	exclusionViolation = "23P01"
	overlapConstraint  = "bookings_no_overlap"
)

// interpretError maps PostgreSQL errors to the scheduling package's
// sentinels by SQLSTATE and constraint name, never by message text.
func interpretError(err error) error {
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return scheduling.ErrNotFound
	case errors.As(err, &pe) && pe.Code == exclusionViolation && pe.ConstraintName == overlapConstraint:
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

// scanner is a row being scanned.
type scanner = sqldb.Scanner
