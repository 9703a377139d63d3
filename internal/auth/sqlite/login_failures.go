package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
)

// AddLoginFailure records a failure under each key and prunes old ones.
func (Store) AddLoginFailure(ctx context.Context, tx *sqldb.Tx, keys []string, at, prune time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < ?`, micros(prune)); err != nil {
		return fmt.Errorf("prune login failures: %w", err)
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)`, k, micros(at)); err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
	}
	return nil
}

// LoginFailures returns the key's failures since since, ascending.
func (Store) LoginFailures(ctx context.Context, tx *sqldb.Tx, key string, since time.Time) ([]time.Time, error) {
	rows, err := tx.QueryContext(ctx,
		`SELECT at FROM login_failures WHERE throttle_key = ? AND at >= ? ORDER BY at`, key, micros(since))
	if err != nil {
		return nil, fmt.Errorf("read login failures: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var us int64
		if err := rows.Scan(&us); err != nil {
			return nil, fmt.Errorf("read login failures: %w", err)
		}
		out = append(out, fromMicros(us))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read login failures: %w", err)
	}
	return out, nil
}

// ClearLoginFailures forgets the key's failures.
func (Store) ClearLoginFailures(ctx context.Context, tx *sqldb.Tx, key string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE throttle_key = ?`, key); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
