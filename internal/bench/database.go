package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// ErrNeedDatabaseURL is returned for the postgres engine without a URL.
var ErrNeedDatabaseURL = errors.New("bench: the postgres engine needs a database URL")

// freshDB is a new, migrated database for one run and how to remove it.
type freshDB struct {
	db      *sqldb.DB
	cleanup func() error
}

// openFresh makes a fresh database of engine: a file in a new temporary
// directory for SQLite, a new schema in the database at baseURL for
// PostgreSQL (dropped by cleanup). The event platform's tables are migrated.
func openFresh(ctx context.Context, engine sqldb.Engine, baseURL string) (*freshDB, error) {
	var f *freshDB
	var err error
	switch engine {
	case sqldb.SQLite:
		f, err = freshSQLite(ctx)
	case sqldb.Postgres:
		f, err = freshPostgres(ctx, baseURL)
	default:
		return nil, fmt.Errorf("bench: engine %q: want sqlite or postgres", engine)
	}
	if err != nil {
		return nil, err
	}
	if err := stores.Migrate(ctx, f.db); err != nil {
		return nil, errors.Join(fmt.Errorf("migrate: %w", err), f.close())
	}
	return f, nil
}

func freshSQLite(ctx context.Context) (*freshDB, error) {
	dir, err := os.MkdirTemp("", "slotwise-bench-db-")
	if err != nil {
		return nil, fmt.Errorf("sqlite dir: %w", err)
	}
	db, err := sqldb.Open(ctx, "sqlite:"+filepath.Join(dir, "bench.db"))
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	return &freshDB{db: db, cleanup: func() error { return os.RemoveAll(dir) }}, nil
}

func freshPostgres(ctx context.Context, baseURL string) (*freshDB, error) {
	if baseURL == "" {
		return nil, ErrNeedDatabaseURL
	}
	if e, err := sqldb.EngineOf(baseURL); err != nil || e != sqldb.Postgres {
		return nil, fmt.Errorf("bench: %q is not a postgres:// URL", sqldb.Redact(baseURL))
	}
	schema, err := randomSchema()
	if err != nil {
		return nil, err
	}
	admin, err := sql.Open("pgx", baseURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return nil, errors.Join(fmt.Errorf("postgres at %s: create schema: %w", sqldb.Redact(baseURL), err), admin.Close())
	}
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		if err != nil {
			err = fmt.Errorf("drop schema %s: %w", schema, err)
		}
		return errors.Join(err, admin.Close())
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("postgres url: %w", err), drop())
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sqldb.Open(ctx, u.String())
	if err != nil {
		return nil, errors.Join(err, drop())
	}
	return &freshDB{db: db, cleanup: drop}, nil
}

// close closes the database and removes it.
func (f *freshDB) close() error {
	var errs []error
	if err := f.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close database: %w", err))
	}
	if err := f.cleanup(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// randomSchema returns a fresh schema name, "bench_" and 12 hex digits.
func randomSchema() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("schema name: %w", err)
	}
	return "bench_" + hex.EncodeToString(b[:]), nil
}
