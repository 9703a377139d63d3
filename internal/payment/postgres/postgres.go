// Package postgres is the payment service's Store on PostgreSQL: its tables
// and embedded migrations, and the dialect the shared SQL of package
// sqlstore needs here ($n placeholders, FOR UPDATE, timestamptz, and
// the translation of PostgreSQL's errors into the payment package's sentinel
// errors). It mirrors package sqlite; business rules do not belong here.
package postgres

import (
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/payment/sqlstore"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the payment service's migrations for PostgreSQL.
func Migrations() fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations")
}

// NewStore returns the payment Store of db (migrated with Migrations):
// the shared SQL of package sqlstore in PostgreSQL's dialect.
func NewStore(db *sqldb.DB) *sqlstore.Store {
	return sqlstore.New(db, sqlstore.Dialect{
		Rebind:    rebind,
		ForUpdate: " FOR UPDATE", // locks the rows read until the transaction ends
		TS:        func(t time.Time) any { return t.UTC() },
		Err:       interpretError,
	})
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
