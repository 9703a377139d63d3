package sqlstore

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
func (s *Store) InsertRefreshToken(ctx context.Context, t auth.RefreshToken) error {
	_, err := s.db.Exec(ctx, `
INSERT INTO refresh_tokens (token_hash, family_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		t.Hash, t.FamilyID, t.UserID, s.db.Time(t.CreatedAt), s.db.Time(t.ExpiresAt))
	if err != nil {
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

// RefreshToken returns the token of the hash.
func (s *Store) RefreshToken(ctx context.Context, hash string) (auth.RefreshToken, error) {
	var t auth.RefreshToken
	err := s.db.QueryRow(ctx, `
SELECT token_hash, family_id, user_id, created_at, expires_at, used_at, revoked_at
FROM refresh_tokens WHERE token_hash = ?`, hash).
		Scan(&t.Hash, &t.FamilyID, &t.UserID, sqldb.Instant(&t.CreatedAt), sqldb.Instant(&t.ExpiresAt),
			sqldb.NullInstant(&t.UsedAt), sqldb.NullInstant(&t.RevokedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.RefreshToken{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.RefreshToken{}, fmt.Errorf("read refresh token: %w", err)
	}
	return t, nil
}

// SpendRefreshToken marks a live token used. On PostgreSQL the row lock
// taken by the UPDATE makes a concurrent spend of the same token wait and
// then find it used; SQLite runs one write transaction at a time.
func (s *Store) SpendRefreshToken(ctx context.Context, hash string, at time.Time) (bool, error) {
	res, err := s.db.Exec(ctx, `
UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL`,
		s.db.Time(at), hash)
	if err != nil {
		return false, fmt.Errorf("spend refresh token: %w", err)
	}
	n, err := affected(res, "spend refresh token")
	return n == 1, err
}

// RevokeFamily revokes the family's unrevoked tokens.
func (s *Store) RevokeFamily(ctx context.Context, familyID string, at time.Time) (int, error) {
	return s.revoke(ctx, `family_id = ?`, familyID, at)
}

// RevokeUserTokens revokes the user's unrevoked tokens.
func (s *Store) RevokeUserTokens(ctx context.Context, userID string, at time.Time) (int, error) {
	return s.revoke(ctx, `user_id = ?`, userID, at)
}

// revoke revokes the unrevoked tokens matching where (one ? for arg).
func (s *Store) revoke(ctx context.Context, where, arg string, at time.Time) (int, error) {
	res, err := s.db.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND `+where, s.db.Time(at), arg)
	if err != nil {
		return 0, fmt.Errorf("revoke refresh tokens: %w", err)
	}
	return affected(res, "revoke refresh tokens")
}
