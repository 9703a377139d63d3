package sqlstore_test

import (
	"context"
	"testing"

	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/scheduling/sqlstore"
	"github.com/slotwise/slotwise/internal/scheduling/storetest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestStoreConformance(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		t.Parallel()
		writers := storetest.ManyWriters
		if engine == sqldb.SQLite {
			writers = storetest.OneWriter // one connection
		}
		storetest.Run(t, writers, func(t *testing.T) scheduling.Store {
			db := sqldbtest.Open(t, engine)
			if _, err := db.Migrate(context.Background(), "scheduling", sqlstore.Migrations(engine)); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			return sqlstore.New(db)
		})
	})
}
