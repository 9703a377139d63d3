// Package sqlite is the scheduling service's Store on SQLite: its tables and
// embedded migrations, the SQL, and the translation of SQLite's errors into
// the scheduling package's sentinel errors. SQLite has one writer and the
// database one connection, with transactions begun IMMEDIATE: the overlap
// check before a booking is written and the write itself cannot interleave
// with another booking's, which is how this engine rules out double
// booking. It mirrors package postgres file for file; business rules do
// not belong here.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the scheduling service's migrations for SQLite.
func Migrations() fs.FS {
	return sqldb.MigrationsDir(migrations, "migrations")
}

// Store is the scheduling.Store on SQLite.
type Store struct {
	db    *sqldb.DB
	stmts sync.Map // query text -> *sql.Stmt, see queryPrepared
}

var (
	_ scheduling.Store         = (*Store)(nil)
	_ scheduling.SettingReader = (*Store)(nil)
)

// NewStore returns the Store of db (migrated with Migrations).
func NewStore(db *sqldb.DB) *Store { return &Store{db: db} }

// queryPrepared runs a query of the hot read paths (slot search, booking)
// through a statement prepared once: the driver does not cache them, and
// parsing a query costs about as much as running a small one. In the
// transaction ctx carries the statement is rebound to it (the database's
// one connection, where it is already prepared); a statement not prepared
// yet is then run as a plain query, since preparing it outside the
// transaction would wait for the connection the transaction holds.
func (s *Store) queryPrepared(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	tx := sqldb.TxFrom(ctx)
	st, ok := s.stmts.Load(query)
	switch {
	case ok && tx != nil:
		return tx.StmtContext(ctx, st.(*sql.Stmt)).QueryContext(ctx, args...)
	case ok:
		return st.(*sql.Stmt).QueryContext(ctx, args...)
	case tx != nil:
		return tx.QueryContext(ctx, query, args...)
	}
	stmt, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if prev, loaded := s.stmts.LoadOrStore(query, stmt); loaded {
		_ = stmt.Close() // a concurrent caller stored one first; its statement serves
		stmt = prev.(*sql.Stmt)
	}
	return stmt.QueryContext(ctx, args...)
}

// q returns the transaction ctx carries, or the database. SQLite has one
// connection: inside a transaction everything must go through it.
func (s *Store) q(ctx context.Context) sqldb.Querier { return s.db.Conn(ctx) }

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Atomically(ctx, fn)
}

// interpretError maps SQLite errors to the scheduling package's sentinels.
func interpretError(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return scheduling.ErrNotFound
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

// Instants are stored as Unix microseconds.
func micros(t time.Time) int64     { return t.UnixMicro() }
func fromMicros(n int64) time.Time { return time.UnixMicro(n).UTC() }

func nullMicros(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: !t.IsZero()}
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

// in returns "(?, ?, …)" for n values and the values as arguments.
func in(values []string) (string, []any) {
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ") + ")", args
}

// scanner is a row being scanned.
type scanner = sqldb.Scanner
