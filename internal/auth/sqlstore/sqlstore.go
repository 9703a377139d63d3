// Package sqlstore is the auth service's Store: users, refresh tokens and
// login failures. Its SQL, written once with ? placeholders, runs on
// PostgreSQL and SQLite through the sqldb dialect (placeholders, instants,
// constraint classification). The migrations stay per engine, with the
// same numbers, under migrations/postgres and migrations/sqlite. Business
// rules (throttling, token rotation) do not belong here: they are in
// package auth.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the auth service's migrations for engine.
func Migrations(engine sqldb.Engine) fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations/"+string(engine))
}

// Store is auth.Store on a SQL database of either engine.
type Store struct{ db *sqldb.DB }

var _ auth.Store = (*Store)(nil)

// New returns the Store of db (migrated with Migrations).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomically(ctx, fn)
}

// interpretError maps driver errors to auth's sentinels: no row →
// ErrNotFound, a unique violation → ErrDuplicateEmail. Of the unique
// constraints a user write can hit, only the live-e-mail index
// (users_email_live) is reachable: ids are random ULIDs.
func interpretError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return auth.ErrNotFound
	case sqldb.IsUnique(err):
		return errors.Join(auth.ErrDuplicateEmail, err)
	}
	return err
}

// affected returns how many rows a statement changed.
func affected(res sql.Result, what string) (int, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return int(n), nil
}
