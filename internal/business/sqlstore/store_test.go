package sqlstore_test

import (
	"context"
	"testing"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/business/sqlstore"
	"github.com/slotwise/slotwise/internal/business/storetest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestStoreConformance(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) business.Store {
			db := sqldbtest.Open(t, engine)
			if _, err := db.Migrate(context.Background(), "business", sqlstore.Migrations(db.Engine)); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			return sqlstore.New(db)
		})
	})
}
