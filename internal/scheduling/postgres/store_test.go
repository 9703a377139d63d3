package postgres_test

import (
	"context"
	"testing"

	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/scheduling/postgres"
	"github.com/slotwise/slotwise/internal/scheduling/storetest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) scheduling.Store {
		db := sqldbtest.Open(t, sqldb.Postgres)
		if _, err := db.Migrate(context.Background(), "scheduling", postgres.Migrations()); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		return postgres.NewStore(db)
	})
}
