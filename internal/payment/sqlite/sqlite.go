// Package sqlite is the payment service's Store on SQLite: its tables
// and embedded migrations, and the dialect the shared SQL of package
// sqlstore needs here (no row locks, instants as integer microseconds, and
// the translation of SQLite's errors into the payment package's sentinel
// errors). It mirrors package postgres; business rules do not belong here.
package sqlite

import (
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/payment/sqlstore"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the payment service's migrations for SQLite.
func Migrations() fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations")
}

// NewStore returns the payment Store of db (migrated with Migrations):
// the shared SQL of package sqlstore in SQLite's dialect.
func NewStore(db *sqldb.DB) *sqlstore.Store {
	return sqlstore.New(db, sqlstore.Dialect{
		ForUpdate: "", // SQLite's write transaction is already exclusive
		TS:        func(t time.Time) any { return t.UnixMicro() },
		Err:       interpretError,
	})
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
