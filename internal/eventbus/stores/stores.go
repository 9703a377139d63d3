// Package stores picks the event platform's store implementations for a
// database by its engine. It is the only place that knows both engines.
package stores

import (
	"context"
	"fmt"

	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/postgres"
	"github.com/slotwise/slotwise/internal/eventbus/sqlite"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Migrate creates or updates the platform's tables (outbox, inbox) in db.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	switch db.Engine {
	case sqldb.Postgres:
		return postgres.Migrate(ctx, db)
	case sqldb.SQLite:
		return sqlite.Migrate(ctx, db)
	}
	return fmt.Errorf("eventbus: unknown engine %q", db.Engine)
}

// Outbox returns the outbox store of db's engine.
func Outbox(db *sqldb.DB) eventbus.OutboxStore {
	if db.Engine == sqldb.Postgres {
		return postgres.NewOutboxStore(db)
	}
	return sqlite.NewOutboxStore(db)
}

// Inbox returns the inbox store of db's engine.
func Inbox(db *sqldb.DB) eventbus.InboxStore {
	if db.Engine == sqldb.Postgres {
		return postgres.NewInboxStore(db)
	}
	return sqlite.NewInboxStore(db)
}
