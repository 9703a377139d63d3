package sqlite_test

import (
	"context"
	"testing"

	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/payment/sqlite"
	"github.com/slotwise/slotwise/internal/payment/storetest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) payment.Store {
		db := sqldbtest.Open(t, sqldb.SQLite)
		if _, err := db.Migrate(context.Background(), "payment", sqlite.Migrations()); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		return sqlite.NewStore(db)
	})
}
