package sqlstore_test

import (
	"context"
	"testing"

	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/auth/sqlstore"
	"github.com/slotwise/slotwise/internal/auth/storetest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func migrate(t *testing.T, db *sqldb.DB) {
	t.Helper()
	if _, err := db.Migrate(context.Background(), "auth", sqlstore.Migrations(db.Engine)); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

func TestStoreConformance(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		storetest.Run(t, func(t *testing.T) auth.Store {
			db := sqldbtest.Open(t, engine)
			migrate(t, db)
			return sqlstore.New(db)
		})
	})
}
