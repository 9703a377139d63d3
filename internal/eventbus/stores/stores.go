// Package stores picks the event platform's store implementations for a
// database by its engine: the outbox's differ per engine (advisory lock,
// LISTEN/NOTIFY and synchronous_commit on PostgreSQL; none of them on
// SQLite), the inbox is one. Service stores need no such switch: their SQL
// runs on either engine through the sqldb dialect.
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

// Inbox returns the inbox store of db (the same SQL on both engines).
func Inbox(db *sqldb.DB) eventbus.InboxStore { return eventbus.NewSQLInbox(db) }
