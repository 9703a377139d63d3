// Package sqlite holds the event platform's tables and SQL for sqlite: the
// outbox (outbox.go) and the consumers' inbox (inbox.go), with their embedded
// migrations. It mirrors package postgres file for file.
package sqlite

import (
	"context"
	"embed"
	"io/fs"

	"github.com/slotwise/slotwise/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or updates the event platform's tables in db.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	_, err := db.Migrate(ctx, "eventbus", mustSub(migrations, "migrations"))
	return err
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // the directory is embedded: cannot happen
	}
	return sub
}
