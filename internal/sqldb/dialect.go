package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// dialect is what one engine contributes to SQL written once: the rebound
// text of each query (cached), and prepared statements for the hot paths.
type dialect struct {
	rebound sync.Map // query text → text for the engine
	stmts   sync.Map // rebound text → *sql.Stmt (see QueryPrepared)
}

// Rebind returns query, written with ? placeholders, for the database's
// engine: PostgreSQL's $1, $2, … — leaving a ? inside a string literal, a
// quoted identifier or a comment alone — and the text unchanged for SQLite.
// Results are cached: a store's queries are a fixed set.
func (db *DB) Rebind(query string) string {
	if db.Engine != Postgres {
		return query
	}
	if q, ok := db.d.rebound.Load(query); ok {
		return q.(string)
	}
	q := rebindDollar(query)
	db.d.rebound.Store(query, q)
	return q
}

// rebindDollar numbers the ? placeholders of query outside quotes and
// comments as $1, $2, ….
func rebindDollar(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := closing(query, i+1, c)
			b.WriteString(query[i:end])
			i = end - 1
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			b.WriteString(query[i : i+end])
			i += end - 1
		case c == '/' && strings.HasPrefix(query[i:], "/*"):
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				end = len(query) - i - 2
			} else {
				end += 2
			}
			b.WriteString(query[i : i+2+end])
			i += 1 + end
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// closing returns the index just past the quote q that closes a quoted
// run starting at from; a doubled quote character stays inside it.
func closing(s string, from int, q byte) int {
	for i := from; i < len(s); i++ {
		if s[i] != q {
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			i++
			continue
		}
		return i + 1
	}
	return len(s)
}

// Exec runs query (? placeholders) in the transaction ctx carries, or on
// the database.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.Conn(ctx).ExecContext(ctx, db.Rebind(query), args...)
}

// Query runs query (? placeholders) in the transaction ctx carries, or on
// the database.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.Conn(ctx).QueryContext(ctx, db.Rebind(query), args...)
}

// QueryRow runs query (? placeholders) in the transaction ctx carries, or
// on the database.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.Conn(ctx).QueryRowContext(ctx, db.Rebind(query), args...)
}

// QueryPrepared is Query through a statement prepared once, for the hot
// read paths (slot search, booking). On SQLite that saves the parse, which
// costs about as much as running a small query: the driver caches no
// statements. pgx caches statements per connection itself, so on
// PostgreSQL this is Query. Inside the transaction ctx carries, a prepared
// statement is rebound to it; one not prepared yet runs as a plain query
// there, since preparing it outside would wait for the connection the
// transaction holds (SQLite has one).
func (db *DB) QueryPrepared(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.Engine != SQLite {
		return db.Query(ctx, query, args...)
	}
	tx := TxFrom(ctx)
	st, ok := db.d.stmts.Load(query)
	switch {
	case ok && tx != nil:
		return tx.StmtContext(ctx, st.(*sql.Stmt)).QueryContext(ctx, args...)
	case ok:
		return st.(*sql.Stmt).QueryContext(ctx, args...)
	case tx != nil:
		return tx.QueryContext(ctx, query, args...)
	}
	stmt, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if prev, loaded := db.d.stmts.LoadOrStore(query, stmt); loaded {
		_ = stmt.Close() // a concurrent caller stored one first; its statement serves
		stmt = prev.(*sql.Stmt)
	}
	return stmt.QueryContext(ctx, args...)
}

// ForUpdate is the suffix of a read that locks its rows until the
// transaction ends: " FOR UPDATE" on PostgreSQL, "" on SQLite, whose write
// transaction is exclusive anyway.
func (db *DB) ForUpdate() string {
	if db.Engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// ForUpdateSkipLocked is ForUpdate for claims several instances make at
// once: each takes rows no other has locked.
func (db *DB) ForUpdateSkipLocked() string {
	if db.Engine == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// Time is an instant as stored: a timestamptz on PostgreSQL (microsecond
// precision), integer Unix microseconds on SQLite — sortable, and free of
// the driver's text formats. Scan it back with Instant.
func (db *DB) Time(t time.Time) any {
	if db.Engine == Postgres {
		return t.UTC().Truncate(time.Microsecond)
	}
	return t.UnixMicro()
}

// NullTime is Time, or NULL for the zero time.
func (db *DB) NullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return db.Time(t)
}

// NullTimePtr is Time of *t, or NULL for nil.
func (db *DB) NullTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return db.Time(*t)
}

// Instant returns a scan destination for an instant stored by Time on
// either engine: a timestamptz, integer Unix microseconds, or NULL (the
// zero time). The result is UTC.
func Instant(t *time.Time) sql.Scanner { return instant{t} }

type instant struct{ t *time.Time }

// Scan implements sql.Scanner.
func (i instant) Scan(src any) error {
	t, err := scanInstant(src)
	*i.t = t
	return err
}

// NullInstant returns a scan destination for a nullable instant: nil for
// NULL.
func NullInstant(t **time.Time) sql.Scanner { return nullInstant{t} }

type nullInstant struct{ t **time.Time }

// Scan implements sql.Scanner.
func (n nullInstant) Scan(src any) error {
	if src == nil {
		*n.t = nil
		return nil
	}
	t, err := scanInstant(src)
	if err != nil {
		return err
	}
	*n.t = &t
	return nil
}

func scanInstant(src any) (time.Time, error) {
	switch v := src.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return v.UTC(), nil
	case int64:
		return time.UnixMicro(v).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("instant: unexpected %T", src)
}
