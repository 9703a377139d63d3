package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// DefaultRefreshTTL is how long a refresh token is good for.
const DefaultRefreshTTL = 30 * 24 * time.Hour

// RefreshToken is a stored refresh token: only its hash is kept. Tokens of
// one login share a family; each refresh spends its token and issues the
// next of the family, and presenting a spent token revokes the family.
type RefreshToken struct {
	Hash      string // hex SHA-256 of the token
	FamilyID  string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time // set when rotated
	RevokedAt *time.Time // set on logout, reuse or account deletion
}

// Live reports whether the token may be exchanged at now.
func (t RefreshToken) Live(now time.Time) bool {
	return t.UsedAt == nil && t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// newRefreshToken returns a fresh opaque token (32 random bytes,
// base64url) and its hash.
func newRefreshToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashRefreshToken(token)
}

// HashRefreshToken returns the stored form of a refresh token.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
