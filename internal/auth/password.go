package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// maxPasswordBytes bounds the UTF-8 size of a password (128 characters of
// at most 4 bytes).
const maxPasswordBytes = 4 * MaxPasswordLen

// Hasher hashes and checks passwords with bcrypt. The password is first
// reduced to base64(SHA-256(password)), 44 bytes, so that passwords longer
// than bcrypt's 72-byte input limit are not truncated.
type Hasher struct {
	cost int
}

// DefaultPasswordCost is the bcrypt cost of a Hasher with cost 0.
const DefaultPasswordCost = 10

// NewHasher returns a Hasher of the bcrypt cost (DefaultPasswordCost when
// 0; tests use bcrypt.MinCost, 4, to stay fast).
func NewHasher(cost int) (*Hasher, error) {
	if cost == 0 {
		cost = DefaultPasswordCost
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
