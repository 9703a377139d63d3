package sqldb

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrate applies the embedded migrations in fsys (goose SQL files named
// NNNNN_name.sql) that the database has not yet run. component names the
// owner of the migrations (e.g. "eventbus", "scheduling"); each component
// keeps its own version table, "<component>_migrations", so the platform and
// a service can migrate one database independently. On PostgreSQL a session
// advisory lock serialises instances that start at the same time.
func (db *DB) Migrate(ctx context.Context, component string, fsys fs.FS) (applied int, err error) {
	opts := []goose.ProviderOption{goose.WithTableName(component + "_migrations")}
	var dialect goose.Dialect
	switch db.Engine {
	case Postgres:
		dialect = goose.DialectPostgres
		// The lock is per component and schema: instances migrating the
		// same schema wait for each other, other schemas (a test's own,
		// another service's) do not.
		var schema string
		if err := db.QueryRowContext(ctx, "SELECT current_database() || '.' || current_schema()").Scan(&schema); err != nil {
			return 0, fmt.Errorf("migrate %s: current schema: %w", component, err)
		}
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID(schema + "/" + component)))
		if err != nil {
			return 0, fmt.Errorf("migrate %s: %w", component, err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	case SQLite:
		dialect = goose.DialectSQLite3
	}
	p, err := goose.NewProvider(dialect, db.DB, fsys, opts...)
	if err != nil {
		return 0, fmt.Errorf("migrate %s: %w", component, err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate %s: %w", component, err)
	}
	return len(res), nil
}

func lockID(component string) int64 {
	var h int64 = 0x51075715e
	for _, c := range component {
		h = h*31 + int64(c)
	}
	return h
}

// MigrationsDir returns the directory dir of an embedded file system, for
// Migrate: every store package embeds "migrations/*.sql" and hands over
// that directory. It panics if dir is not in fsys — a build mistake, caught
// by any test that migrates.
func MigrationsDir(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("migrations: %v", err))
	}
	return sub
}
