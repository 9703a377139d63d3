package sqlstore_test

import (
	"context"
	"testing"

	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/notification/sqlstore"
	"github.com/slotwise/slotwise/internal/notification/storetest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestStoreConformance(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) notification.Store {
			db := sqldbtest.Open(t, engine)
			if _, err := db.Migrate(context.Background(), "notification", sqlstore.Migrations(db.Engine)); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			return sqlstore.New(db)
		})
	})
}
