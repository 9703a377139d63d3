package postgres_test

import (
	"context"
	"testing"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/business/postgres"
	"github.com/slotwise/slotwise/internal/business/storetest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) business.Store {
		db := sqldbtest.Open(t, sqldb.Postgres)
		if _, err := db.Migrate(context.Background(), "business", postgres.Migrations()); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		return postgres.NewStore(db)
	})
}
