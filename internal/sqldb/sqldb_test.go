package sqldb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestInTx(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx := context.Background()
		db := sqldbtest.Open(t, engine)
		fsys := fstest.MapFS{"00001_things.sql": {Data: []byte("-- +goose Up\nCREATE TABLE things (id INTEGER PRIMARY KEY);\n")}}
		n, err := db.Migrate(ctx, "test", fsys)
		if err != nil || n != 1 {
			t.Fatalf("migrate: applied %d, %v", n, err)
		}
		if n, err := db.Migrate(ctx, "test", fsys); err != nil || n != 0 {
			t.Fatalf("second migrate: applied %d, %v; want 0", n, err)
		}
		insert := "INSERT INTO things (id) VALUES (1)"
		var committed, rolledBack bool
		boom := errors.New("boom")
		err = db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			tx.AfterCommit(func() { rolledBack = true })
			if sqldb.TxFrom(ctx) != tx {
				t.Error("ctx does not carry the transaction")
			}
			if _, err := tx.ExecContext(ctx, insert); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || rolledBack {
			t.Fatalf("failed tx: err %v, after-commit ran %v", err, rolledBack)
		}
		var count int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM things").Scan(&count); err != nil || count != 0 {
			t.Fatalf("after rollback: %d rows, %v", count, err)
		}
		err = db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			tx.AfterCommit(func() { committed = true })
			_, err := tx.ExecContext(ctx, insert)
			return err
		})
		if err != nil || !committed {
			t.Fatalf("commit: %v, after-commit ran %v", err, committed)
		}
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM things").Scan(&count); err != nil || count != 1 {
			t.Fatalf("after commit: %d rows, %v", count, err)
		}
	})
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	_, err := sqldb.Open(context.Background(), "mysql://x")
	if !errors.Is(err, sqldb.ErrUnsupportedURL) {
		t.Fatalf("err = %v, want ErrUnsupportedURL", err)
	}
}

func TestOpenUnreachablePostgresNamesIt(t *testing.T) {
	_, err := sqldb.Open(context.Background(), "postgres://nobody@127.0.0.1:1/x?connect_timeout=2")
	if err == nil {
		t.Fatal("want error")
	}
	if got := err.Error(); !contains(got, "127.0.0.1:1") || !contains(got, "not reachable") {
		t.Fatalf("error %q does not name the address", got)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
