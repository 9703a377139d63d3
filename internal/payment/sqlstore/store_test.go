package sqlstore_test

import (
	"context"
	"testing"

	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/payment/sqlstore"
	"github.com/slotwise/slotwise/internal/payment/storetest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestStoreConformance(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		storetest.Run(t, func(t *testing.T) payment.Store {
			db := sqldbtest.Open(t, engine)
			if _, err := db.Migrate(context.Background(), "payment", sqlstore.Migrations(engine)); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			return sqlstore.New(db)
		})
	})
}
