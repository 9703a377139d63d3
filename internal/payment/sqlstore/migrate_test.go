package sqlstore_test

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/slotwise/slotwise/internal/payment/sqlstore"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestMigrationMovesFailedPayments: migration 00002 turns the failed
// payments of the old state machine into canceled ones (their booking is
// over) or payable ones (it is not, yet), and leaves the others alone.
func TestMigrationMovesFailedPayments(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx := context.Background()
		db := sqldbtest.Open(t, engine)
		all := sqlstore.Migrations(engine)
		if _, err := db.Migrate(ctx, "payment", only(t, all, "00001_payment.sql")); err != nil {
			t.Fatalf("migrate to 00001: %v", err)
		}
		rows := []struct{ payment, booking, state, status, want string }{
			{"pay_1", "bk_1", "cancelled", "failed", "canceled"},
			{"pay_2", "bk_2", "open", "failed", "requires_payment"},
			{"pay_3", "bk_3", "expired", "requires_payment", "canceled"},
			{"pay_4", "bk_4", "open", "requires_payment", "requires_payment"},
			{"pay_5", "bk_5", "cancelled", "refunded", "refunded"},
		}
		for _, r := range rows {
			if _, err := db.Exec(ctx, `INSERT INTO payment_bookings (id, business_id, client_id, start_time, manage_token_hash, state, updated_at)
				VALUES (?, 'biz', 'c', ?, '', ?, ?)`, r.booking, db.Time(t0), r.state, db.Time(t0)); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(ctx, `INSERT INTO payments (id, booking_id, business_id, client_id, amount_minor, currency, provider,
				provider_ref, client_secret, pay_url, status, method, failure_reason, refunded_minor, correlation_id, created_at, updated_at)
				VALUES (?, ?, 'biz', 'c', 100, 'USD', 'sandbox', ?, '', '', ?, '', 'card_declined', 0, '', ?, ?)`,
				r.payment, r.booking, "pi_"+r.payment, r.status, db.Time(t0), db.Time(t0)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Migrate(ctx, "payment", all); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		s := sqlstore.New(db)
		for _, r := range rows {
			p, err := s.Payment(ctx, r.payment)
			if err != nil || string(p.Status) != r.want || p.FailureReason != "card_declined" || p.CheckoutRef != "" {
				t.Errorf("%s (%s, booking %s) = %+v, %v; want status %s", r.payment, r.status, r.state, p, err, r.want)
			}
		}
	})
}

// only returns fsys with just the named migration.
func only(t *testing.T, fsys fs.FS, name string) fs.FS {
	t.Helper()
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	return fstest.MapFS{name: {Data: raw}}
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
