// Package sqlstore is the business service's Store: its SQL, written once
// with ? placeholders, runs on PostgreSQL and SQLite through the sqldb
// dialect (placeholders, instants, row locks, constraint classification).
// The files mirror the business package's: business.go, offering.go,
// staff.go, availability.go, owners.go. The migrations stay per engine,
// with the same numbers, under migrations/postgres and migrations/sqlite.
// Business rules do not belong here.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the business service's migrations for engine.
func Migrations(engine sqldb.Engine) fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations/"+string(engine))
}

// Store is the business.Store on a SQL database of either engine.
type Store struct{ db *sqldb.DB }

var _ business.Store = (*Store)(nil)

// New returns the Store of db (migrated with Migrations).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomically(ctx, fn)
}

// subdomainConstraint is the unique constraint on businesses.subdomain
// (the name PostgreSQL reports; SQLite's index has it too).
const subdomainConstraint = "businesses_subdomain"

// interpretError maps driver errors to the business package's sentinels:
// no row → ErrNotFound, the subdomain's unique constraint →
// ErrDuplicateSubdomain. PostgreSQL names the violated constraint. SQLite
// names none, but the subdomain's is the only unique index besides the
// primary keys, and those are ULIDs that do not collide, so any unique
// violation there is the subdomain's.
func interpretError(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return business.ErrNotFound
	}
	if kind, name := sqldb.Violation(err); kind == sqldb.Unique && (name == subdomainConstraint || name == "") {
		return errors.Join(business.ErrDuplicateSubdomain, err)
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
		return business.ErrNotFound
	}
	return nil
}

// nullInt and intPtr carry the optional rule overrides: NULL is "use the
// business's rule".
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

// jsonText encodes a list column (JSONB on PostgreSQL, JSON text on
// SQLite: both take and give text), an empty list rather than null.
func jsonText[T any](v []T) (string, error) {
	if v == nil {
		v = []T{}
	}
	b, err := json.Marshal(v)
	return string(b), err
}
