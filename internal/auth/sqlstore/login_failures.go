package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
)

// AddLoginFailure records a failure under each key and prunes old ones.
func (s *Store) AddLoginFailure(ctx context.Context, keys []string, at, prune time.Time) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM login_failures WHERE at < ?`, s.db.Time(prune)); err != nil {
		return fmt.Errorf("prune login failures: %w", err)
	}
	for _, k := range keys {
		if _, err := s.db.Exec(ctx, `INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)`, k, s.db.Time(at)); err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
	}
	return nil
}

// LoginFailures returns the key's failures since since, ascending.
func (s *Store) LoginFailures(ctx context.Context, key string, since time.Time) ([]time.Time, error) {
	rows, err := s.db.Query(ctx,
		`SELECT at FROM login_failures WHERE throttle_key = ? AND at >= ? ORDER BY at`, key, s.db.Time(since))
	if err != nil {
		return nil, fmt.Errorf("read login failures: %w", err)
	}
	out, err := sqldb.Collect(rows, func(row sqldb.Scanner) (time.Time, error) {
		var at time.Time
		return at, row.Scan(sqldb.Instant(&at))
	})
	if err != nil {
		return nil, fmt.Errorf("read login failures: %w", err)
	}
	return out, nil
}

// ClearLoginFailures forgets the key's failures.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM login_failures WHERE throttle_key = ?`, key); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
