package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
)

// AddLoginFailure records a failure under each key and prunes old ones.
func (Store) AddLoginFailure(ctx context.Context, tx *sqldb.Tx, keys []string, at, prune time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, prune); err != nil {
		return fmt.Errorf("prune login failures: %w", err)
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)`, k, at); err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
	}
	return nil
}

// LoginFailures returns the key's failures since since, ascending.
func (Store) LoginFailures(ctx context.Context, tx *sqldb.Tx, key string, since time.Time) ([]time.Time, error) {
	rows, err := tx.QueryContext(ctx,
		`SELECT at FROM login_failures WHERE throttle_key = $1 AND at >= $2 ORDER BY at`, key, since)
	if err != nil {
		return nil, fmt.Errorf("read login failures: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return nil, fmt.Errorf("read login failures: %w", err)
		}
		out = append(out, at.UTC())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read login failures: %w", err)
	}
	return out, nil
}

// ClearLoginFailures forgets the key's failures.
func (Store) ClearLoginFailures(ctx context.Context, tx *sqldb.Tx, key string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE throttle_key = $1`, key); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
