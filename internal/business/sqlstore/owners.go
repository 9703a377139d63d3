package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const ownerColumns = `user_id, email, first_name, last_name, deleted, updated_at`

func scanOwner(row sqldb.Scanner) (business.Owner, error) {
	var o business.Owner
	err := row.Scan(&o.UserID, &o.Email, &o.FirstName, &o.LastName, &o.Deleted, sqldb.Instant(&o.UpdatedAt))
	return o, interpretError(err)
}

// Owner returns the projected user.
func (s *Store) Owner(ctx context.Context, userID string) (business.Owner, error) {
	return scanOwner(s.db.QueryRow(ctx, `SELECT `+ownerColumns+` FROM owners WHERE user_id = ?`, userID))
}

// LockOwner makes sure the owner's row exists and locks it until the
// transaction ends (FOR UPDATE on PostgreSQL; on SQLite the transaction
// already holds the write lock).
func (s *Store) LockOwner(ctx context.Context, userID string, now time.Time) (business.Owner, error) {
	var o business.Owner
	err := s.Atomically(ctx, func(ctx context.Context) error {
		if _, err := s.db.Exec(ctx, `INSERT INTO owners (`+ownerColumns+`)
			VALUES (?, '', '', '', ?, ?) ON CONFLICT (user_id) DO NOTHING`, userID, false, s.db.Time(now)); err != nil {
			return fmt.Errorf("lock owner %s: %w", userID, err)
		}
		var err error
		o, err = scanOwner(s.db.QueryRow(ctx, `SELECT `+ownerColumns+` FROM owners WHERE user_id = ?`+s.db.ForUpdate(), userID))
		if err != nil {
			return fmt.Errorf("lock owner %s: %w", userID, err)
		}
		return nil
	})
	return o, err
}

// PutOwner inserts or replaces a projected user.
func (s *Store) PutOwner(ctx context.Context, o business.Owner) error {
	_, err := s.db.Exec(ctx, `INSERT INTO owners (`+ownerColumns+`)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET email = excluded.email,
		first_name = excluded.first_name, last_name = excluded.last_name, deleted = excluded.deleted,
		updated_at = excluded.updated_at`,
		o.UserID, o.Email, o.FirstName, o.LastName, o.Deleted, s.db.Time(o.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put owner %s: %w", o.UserID, err)
	}
	return nil
}
