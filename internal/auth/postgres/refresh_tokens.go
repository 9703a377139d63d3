package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// InsertRefreshToken stores t.
func (Store) InsertRefreshToken(ctx context.Context, tx *sqldb.Tx, t auth.RefreshToken) error {
	_, err := tx.ExecContext(ctx, `
INSERT INTO refresh_tokens (token_hash, family_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		t.Hash, t.FamilyID, t.UserID, t.CreatedAt, t.ExpiresAt)
	if err != nil {
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

// RefreshToken returns the token of the hash.
func (Store) RefreshToken(ctx context.Context, tx *sqldb.Tx, hash string) (auth.RefreshToken, error) {
	var (
		t             auth.RefreshToken
		used, revoked sql.NullTime
	)
	err := tx.QueryRowContext(ctx, `
SELECT token_hash, family_id, user_id, created_at, expires_at, used_at, revoked_at
FROM refresh_tokens WHERE token_hash = $1`, hash).
		Scan(&t.Hash, &t.FamilyID, &t.UserID, &t.CreatedAt, &t.ExpiresAt, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.RefreshToken{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.RefreshToken{}, fmt.Errorf("read refresh token: %w", err)
	}
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	t.UsedAt, t.RevokedAt = nullTime(used), nullTime(revoked)
	return t, nil
}

// SpendRefreshToken marks a live token used. The row lock taken by the
// UPDATE makes a concurrent spend of the same token wait and then find it
// used.
func (Store) SpendRefreshToken(ctx context.Context, tx *sqldb.Tx, hash string, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `
UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL`,
		at, hash)
	if err != nil {
		return false, fmt.Errorf("spend refresh token: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("spend refresh token: %w", err)
	}
	return n == 1, nil
}

// RevokeFamily revokes the family's unrevoked tokens.
func (Store) RevokeFamily(ctx context.Context, tx *sqldb.Tx, familyID string, at time.Time) (int, error) {
	return revoke(ctx, tx, `family_id = $2`, familyID, at)
}

// RevokeUserTokens revokes the user's unrevoked tokens.
func (Store) RevokeUserTokens(ctx context.Context, tx *sqldb.Tx, userID string, at time.Time) (int, error) {
	return revoke(ctx, tx, `user_id = $2`, userID, at)
}

func revoke(ctx context.Context, tx *sqldb.Tx, where, arg string, at time.Time) (int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = $1 WHERE revoked_at IS NULL AND `+where, at, arg)
	if err != nil {
		return 0, fmt.Errorf("revoke refresh tokens: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("revoke refresh tokens: %w", err)
	}
	return int(n), nil
}
