// Package postgres holds the event platform's migrations for postgres (the
// outbox and inbox tables) and the outbox store of this engine. The outbox
// store stays per engine because its behaviour really differs (advisory
// lock, LISTEN/NOTIFY, synchronous_commit off for marks); the inbox's SQL is
// the same on both engines and lives once in eventbus.SQLInbox. It mirrors
// package sqlite.
package postgres

import (
	"context"
	"embed"

	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or updates the event platform's tables in db.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	_, err := db.Migrate(ctx, "eventbus", sqldb.MigrationsDir(migrations, "migrations"))
	return err
}
