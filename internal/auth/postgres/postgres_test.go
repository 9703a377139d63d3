package postgres_test

import (
	"context"
	"testing"

	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/auth/postgres"
	"github.com/slotwise/slotwise/internal/auth/storetest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (*sqldb.DB, auth.Store) {
		db := sqldbtest.Open(t, sqldb.Postgres)
		if _, err := db.Migrate(context.Background(), "auth", postgres.Migrations()); err != nil {
			t.Fatal(err)
		}
		return db, postgres.NewStore()
	})
}
