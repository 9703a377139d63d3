package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Engine names a database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open database of one engine.
type DB struct {
	*sql.DB
	Engine Engine
	// URL is the URL the database was opened with (a SQLite path is
	// normalised to sqlite:<path>).
	URL string

	d dialect
}

// PostgresMaxConns is the size of one database's connection pool.
const PostgresMaxConns = 10

// ErrUnsupportedURL is returned by Open for a URL of an unknown scheme.
var ErrUnsupportedURL = errors.New("unsupported database URL (want postgres://…, postgresql://… or sqlite:<path>)")

// EngineOf returns the engine a database URL names.
func EngineOf(rawURL string) (Engine, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return Postgres, nil
	case strings.HasPrefix(rawURL, "sqlite:"):
		return SQLite, nil
	}
	return "", fmt.Errorf("%q: %w", redact(rawURL), ErrUnsupportedURL)
}

// Open opens and pings the database at rawURL: postgres://… (pgx) or
// sqlite:<path> (modernc.org/sqlite, WAL, synchronous=FULL, one connection so
// that writes never wait on SQLite's busy handler). The SQLite file and its
// directory are created when missing.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	engine, err := EngineOf(rawURL)
	if err != nil {
		return nil, err
	}
	var db *sql.DB
	switch engine {
	case Postgres:
		db, err = sql.Open("pgx", rawURL)
		if err == nil {
			// Each service of each process has its own pool: five services
			// × several instances must stay well inside PostgreSQL's
			// max_connections (100 by default).
			db.SetMaxOpenConns(PostgresMaxConns)
			db.SetMaxIdleConns(PostgresMaxConns)
			db.SetConnMaxIdleTime(5 * time.Minute)
		}
	case SQLite:
		db, err = openSQLite(rawURL)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(rawURL), err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("database %s is not reachable: %w", redact(rawURL), err)
	}
	return &DB{DB: db, Engine: engine, URL: rawURL}, nil
}

// SQLitePath returns the file path of a sqlite: URL.
func SQLitePath(rawURL string) string {
	p := strings.TrimPrefix(rawURL, "sqlite:")
	p = strings.TrimPrefix(p, "//")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

func openSQLite(rawURL string) (*sql.DB, error) {
	path := SQLitePath(rawURL)
	if path == "" {
		return nil, errors.New("sqlite URL has no path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	// One connection: SQLite has one writer, and a second connection would
	// only meet SQLITE_BUSY and its retry sleeps.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// redact hides the password of a URL for messages.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	return u.Redacted()
}

// Redact hides the password of a database URL for log lines and errors.
func Redact(rawURL string) string { return redact(rawURL) }
