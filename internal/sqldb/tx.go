package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Tx is a transaction that can run functions once it has committed (for
// example, to wake the outbox relay in this process).
type Tx struct {
	*sql.Tx
	Engine      Engine
	afterCommit []func()
}

// AfterCommit registers f to run after the transaction commits; it does not
// run if the transaction rolls back.
func (tx *Tx) AfterCommit(f func()) { tx.afterCommit = append(tx.afterCommit, f) }

// InTx runs fn in a transaction: it commits when fn returns nil and rolls
// back otherwise (also on panic, which it re-raises). The commit error is
// returned, never swallowed. ctx passed to fn carries the transaction (see
// TxFrom), so code called by fn can join it.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) (err error) {
	sqlTx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{Tx: sqlTx, Engine: db.Engine}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
			}
			return
		}
		if err = sqlTx.Commit(); err != nil {
			err = fmt.Errorf("commit: %w", err)
			return
		}
		for _, f := range tx.afterCommit {
			f()
		}
	}()
	return fn(WithTx(ctx, tx), tx)
}

type txKey struct{}

// WithTx returns ctx carrying tx.
func WithTx(ctx context.Context, tx *Tx) context.Context { return context.WithValue(ctx, txKey{}, tx) }

// TxFrom returns the transaction ctx carries, or nil. Event handlers get the
// transaction the idempotency middleware opened this way, so their effects
// commit together with the inbox row.
func TxFrom(ctx context.Context) *Tx {
	tx, _ := ctx.Value(txKey{}).(*Tx)
	return tx
}

// Querier is what a *DB and a *Tx have in common: stores write their SQL
// against it so the same method works inside and outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Conn returns the transaction ctx carries, or db itself. On SQLite, with
// its one connection, code inside a transaction must use it — the *DB would
// wait for the connection the transaction holds.
func (db *DB) Conn(ctx context.Context) Querier {
	if tx := TxFrom(ctx); tx != nil {
		return tx
	}
	return db
}

// Atomically runs fn in the transaction ctx carries, or in a new one.
func (db *DB) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	if TxFrom(ctx) != nil {
		return fn(ctx)
	}
	return db.InTx(ctx, func(ctx context.Context, _ *Tx) error { return fn(ctx) })
}

// Scanner is what *sql.Row and *sql.Rows have in common.
type Scanner interface{ Scan(dest ...any) error }

// Collect scans every row of rows with scan and closes rows. It returns an
// empty (non-nil) slice when there are none, so JSON shows [] not null.
func Collect[T any](rows *sql.Rows, scan func(Scanner) (T, error)) (out []T, err error) {
	defer func() {
		if cerr := rows.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	out = []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
