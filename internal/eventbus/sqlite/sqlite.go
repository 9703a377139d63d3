// Package sqlite holds the event platform's tables and SQL for sqlite: the
// outbox (outbox.go) and the consumers' inbox (inbox.go), with their embedded
// migrations. It mirrors package postgres file for file.
package sqlite

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
