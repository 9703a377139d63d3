// Package password is the auth service's PasswordHasher on bcrypt. The
// password is first reduced to base64(SHA-256(password)), 44 bytes, so
// that passwords longer than bcrypt's 72-byte input limit are not
// truncated; hashes stored by earlier versions use the same scheme and
// keep verifying. Password policy (lengths) belongs in package auth.
package password

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/slotwise/slotwise/internal/auth"
)

// Hasher hashes and checks passwords with bcrypt over the SHA-256
// pre-hash.
type Hasher struct {
	cost int
}

var _ auth.PasswordHasher = (*Hasher)(nil)

// DefaultCost is the bcrypt cost of a Hasher with cost 0.
const DefaultCost = 10

// New returns a Hasher of the bcrypt cost (DefaultCost when 0; tests use
// bcrypt.MinCost, 4, to stay fast).
func New(cost int) (*Hasher, error) {
	if cost == 0 {
		cost = DefaultCost
	}
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("password cost %d: want %d to %d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	return &Hasher{cost: cost}, nil
}

// Hash returns the stored form of pw.
func (h *Hasher) Hash(pw string) (string, error) {
	b, err := bcrypt.GenerateFromPassword(prehash(pw), h.cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(b), nil
}

// Matches reports whether pw is the password of hash. It spends the same
// time whether or not it matches (bcrypt compares in constant time), and
// an empty or malformed hash never matches.
func (h *Hasher) Matches(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), prehash(pw)) == nil
}

func prehash(pw string) []byte {
	sum := sha256.Sum256([]byte(pw))
	out := make([]byte, base64.StdEncoding.EncodedLen(len(sum)))
	base64.StdEncoding.Encode(out, sum[:])
	return out
}
