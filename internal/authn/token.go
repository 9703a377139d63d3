package authn

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oklog/ulid/v2"
)

// Role is a user's role.
type Role string

// The roles.
const (
	RoleOwner  Role = "business_owner"
	RoleClient Role = "client"
	RoleAdmin  Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleOwner || r == RoleClient || r == RoleAdmin }

// Principal is the authenticated caller.
type Principal struct {
	UserID string
	Role   Role
}

// Issuer is the token issuer name written in and required of every token.
const Issuer = "slotwise"

// ErrInvalidToken is returned for any token that must be refused: malformed,
// tampered, expired, unsigned ("alg": "none"), or signed by an unknown key.
var ErrInvalidToken = errors.New("invalid access token")

type claims struct {
	Role Role `json:"role"`
	jwt.RegisteredClaims
}

// Tokens issues and verifies access tokens with a key set.
type Tokens struct {
	keys *KeySet
	ttl  time.Duration
	now  func() time.Time
}

// NewTokens returns a token issuer/verifier; ttl is the access token
// lifetime (15 min when 0); now is the clock (time.Now when nil).
func NewTokens(keys *KeySet, ttl time.Duration, now func() time.Time) *Tokens {
	if ttl <= 0 {
		ttl = 15 * time.Minute
	}
	if now == nil {
		now = time.Now
	}
	return &Tokens{keys: keys, ttl: ttl, now: now}
}

// TTL returns the access token lifetime.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue signs an access token for p with the current key.
func (t *Tokens) Issue(p Principal) (token string, expires time.Time, err error) {
	now := t.now().UTC()
	expires = now.Add(t.ttl)
	c := claims{Role: p.Role, RegisteredClaims: jwt.RegisteredClaims{
		Issuer:    Issuer,
		Subject:   p.UserID,
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(expires),
		ID:        ulid.Make().String(),
	}}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = t.keys.current
	signed, err := tok.SignedString(t.keys.private[t.keys.current])
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return signed, expires, nil
}

// Verify checks an access token and returns its principal. Every failure is
// ErrInvalidToken (wrapping the reason).
func (t *Tokens) Verify(token string) (Principal, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		pub, ok := t.keys.publicKey(kid)
		if !ok {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		return pub, nil
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.Subject == "" || !c.Role.Valid() {
		return Principal{}, fmt.Errorf("%w: missing subject or role", ErrInvalidToken)
	}
	return Principal{UserID: c.Subject, Role: c.Role}, nil
}
