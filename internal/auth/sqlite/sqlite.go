// Package sqlite is the auth service's Store on SQLite: users, refresh
// tokens and login failures, with embedded migrations. It mirrors package
// postgres file for file; instants are integer Unix microseconds (UTC).
package sqlite

import (
	"embed"
	"errors"
	"io/fs"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the auth service's migrations for SQLite.
func Migrations() fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations")
}

// Store is auth.Store on SQLite.
type Store struct{}

var _ auth.Store = Store{}

// NewStore returns the store. It holds no state: every method runs in the
// transaction it is given.
func NewStore() Store { return Store{} }

// interpretError maps SQLite's constraint errors to the service's
// sentinels.
func interpretError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return errors.Join(auth.ErrDuplicateEmail, err)
	}
	return err
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros is a nullable instant column.
type nullMicros struct{ v *int64 }

func (n nullMicros) time() *time.Time {
	if n.v == nil {
		return nil
	}
	t := fromMicros(*n.v)
	return &t
}
