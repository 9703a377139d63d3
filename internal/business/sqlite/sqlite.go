// Package sqlite is the business service's Store on SQLite: its tables and
// embedded migrations, the SQL, and the translation of SQLite's errors into
// the business package's sentinel errors. It mirrors package postgres file
// for file; business rules do not belong here.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the business service's migrations for SQLite.
func Migrations() fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations")
}

// Store is the business.Store on SQLite.
type Store struct{ db *sqldb.DB }

var _ business.Store = (*Store)(nil)

// NewStore returns the Store of db (migrated with Migrations).
func NewStore(db *sqldb.DB) *Store { return &Store{db: db} }

// q returns the transaction ctx carries, or the database.
func (s *Store) q(ctx context.Context) sqldb.Querier { return s.db.Conn(ctx) }

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomically(ctx, fn)
}

// interpretError maps SQLite errors to the business package's sentinels.
func interpretError(err error) error {
	var se *msqlite.Error
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return business.ErrNotFound
	case errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		// The only unique index besides primary keys is the subdomain's.
		return errors.Join(business.ErrDuplicateSubdomain, err)
	}
	return err
}

// Instants are stored as Unix microseconds.
func micros(t time.Time) int64     { return t.UnixMicro() }
func fromMicros(n int64) time.Time { return time.UnixMicro(n).UTC() }

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
		return business.ErrNotFound
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
