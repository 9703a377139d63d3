// Package postgres is the auth service's Store on PostgreSQL: users,
// refresh tokens and login failures, with embedded migrations. It mirrors
// package sqlite file for file.
package postgres

import (
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the auth service's migrations for PostgreSQL.
func Migrations() fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations")
}

// Store is auth.Store on PostgreSQL.
type Store struct{}

var _ auth.Store = Store{}

// NewStore returns the store. It holds no state: every method runs in the
// transaction it is given.
func NewStore() Store { return Store{} }

// uniqueViolation is the SQLSTATE of a unique constraint violation.
const uniqueViolation = "23505"

// interpretError maps PostgreSQL's constraint errors to the service's
// sentinels.
func interpretError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == uniqueViolation {
		return errors.Join(auth.ErrDuplicateEmail, err)
	}
	return err
}

func nullTime(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}
