package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestRebindLeavesQuotesAndCommentsAlone(t *testing.T) {
	db := &sqldb.DB{Engine: sqldb.Postgres}
	cases := []struct{ in, want string }{
		{"SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{"SELECT '?' || ?, 'it''s ?', ?", "SELECT '?' || $1, 'it''s ?', $2"},
		{`SELECT "we?ird" FROM t WHERE x = ?`, `SELECT "we?ird" FROM t WHERE x = $1`},
		{"SELECT ? -- what?\n, ?", "SELECT $1 -- what?\n, $2"},
		{"SELECT /* ? */ ?", "SELECT /* ? */ $1"},
		{"SELECT 'unterminated ?", "SELECT 'unterminated ?"},
	}
	for _, c := range cases {
		if got := db.Rebind(c.in); got != c.want {
			t.Errorf("Rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	lite := &sqldb.DB{Engine: sqldb.SQLite}
	if got := lite.Rebind(cases[0].in); got != cases[0].in {
		t.Errorf("SQLite Rebind changed the query: %q", got)
	}
}

func TestDialectOnBothEngines(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx := context.Background()
		db := sqldbtest.Open(t, engine)
		ts := "BIGINT"
		if engine == sqldb.Postgres {
			ts = "TIMESTAMPTZ"
		}
		for _, stmt := range []string{
			"CREATE TABLE parent (id TEXT PRIMARY KEY, at " + ts + " NOT NULL, maybe " + ts + ", note TEXT NOT NULL DEFAULT '?', n INTEGER CHECK (n >= 0))",
			"CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parent (id))",
		} {
			if _, err := db.Exec(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		at := time.Date(2026, 3, 29, 1, 30, 0, 123456789, time.FixedZone("X", 3600))
		if _, err := db.Exec(ctx, "INSERT INTO parent (id, at, maybe, n) VALUES (?, ?, ?, ?)", "p1", db.Time(at), db.NullTime(time.Time{}), 1); err != nil {
			t.Fatalf("insert: %v", err)
		}
		var got time.Time
		var maybe *time.Time
		var note string
		if err := db.QueryRow(ctx, "SELECT at, maybe, note FROM parent WHERE id = ? AND note = '?'", "p1").Scan(sqldb.Instant(&got), sqldb.NullInstant(&maybe), &note); err != nil {
			t.Fatalf("select: %v", err)
		}
		if want := at.UTC().Truncate(time.Microsecond); !got.Equal(want) || got.Location() != time.UTC || maybe != nil || note != "?" {
			t.Fatalf("read back %v (%v), maybe %v, note %q; want %v UTC, nil, ?", got, got.Location(), maybe, note, want)
		}
		violations := []struct {
			name  string
			query string
			args  []any
			want  sqldb.Constraint
		}{
			{"unique", "INSERT INTO parent (id, at) VALUES (?, ?)", []any{"p1", db.Time(at)}, sqldb.Unique},
			{"foreign key", "INSERT INTO child (id, parent_id) VALUES (?, ?)", []any{"c1", "nope"}, sqldb.ForeignKey},
			{"check", "INSERT INTO parent (id, at, n) VALUES (?, ?, ?)", []any{"p2", db.Time(at), -1}, sqldb.Check},
			{"not null", "INSERT INTO parent (id, at) VALUES (?, ?)", []any{"p3", nil}, sqldb.NotNull},
		}
		for _, v := range violations {
			_, err := db.Exec(ctx, v.query, v.args...)
			if kind, _ := sqldb.Violation(err); kind != v.want {
				t.Errorf("%s: Violation(%v) = %v, want %v", v.name, err, kind, v.want)
			}
		}
		if kind, _ := sqldb.Violation(context.Canceled); kind != sqldb.NoViolation {
			t.Errorf("Violation(context.Canceled) = %v", kind)
		}
		rows, err := db.QueryPrepared(ctx, "SELECT id FROM parent WHERE n = ?", 1)
		if err != nil {
			t.Fatalf("prepared: %v", err)
		}
		ids, err := sqldb.Collect(rows, func(s sqldb.Scanner) (id string, err error) { return id, s.Scan(&id) })
		if err != nil || len(ids) != 1 || ids[0] != "p1" {
			t.Fatalf("prepared read: %v, %v", ids, err)
		}
	})
}
