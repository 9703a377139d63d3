package auth

import (
	"context"
	"time"
)

// Store is the auth service's persistence. Every method joins the
// transaction ctx carries (see Atomically), so a state change and the
// outbox row of its event commit together.
type Store interface {
	// Atomically runs fn in one transaction (or in the one ctx carries).
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error

	// CreateUser inserts u with its password hash; ErrDuplicateEmail when a
	// live user has the e-mail.
	CreateUser(ctx context.Context, u User, passwordHash string) error
	// UserByID returns the user (deleted ones too); ErrNotFound when none.
	UserByID(ctx context.Context, id string) (User, error)
	// UserByEmail returns the live user with the normalised e-mail and its
	// password hash; ErrNotFound when none.
	UserByEmail(ctx context.Context, email string) (User, string, error)
	// UpdateUser writes u's names, e-mail and UpdatedAt, and the password
	// hash when passwordHash is not ""; ErrDuplicateEmail when another live
	// user has the e-mail, ErrNotFound when u is not live.
	UpdateUser(ctx context.Context, u User, passwordHash string) error
	// DeleteUser marks the user deleted at at and anonymises it (e-mail,
	// names and password hash are cleared); ErrNotFound when not live.
	DeleteUser(ctx context.Context, id string, at time.Time) error
	// CountUsers counts users, deleted ones included.
	CountUsers(ctx context.Context) (int, error)

	// InsertRefreshToken stores a token.
	InsertRefreshToken(ctx context.Context, t RefreshToken) error
	// RefreshToken returns the token with the hash; ErrNotFound when none.
	RefreshToken(ctx context.Context, hash string) (RefreshToken, error)
	// SpendRefreshToken marks a live token used at at. It reports false,
	// changing nothing, when the token was already used or revoked (so two
	// concurrent refreshes cannot both spend it).
	SpendRefreshToken(ctx context.Context, hash string, at time.Time) (bool, error)
	// RevokeFamily revokes every unrevoked token of the family and returns
	// how many.
	RevokeFamily(ctx context.Context, familyID string, at time.Time) (int, error)
	// RevokeUserTokens revokes every unrevoked token of the user.
	RevokeUserTokens(ctx context.Context, userID string, at time.Time) (int, error)

	// AddLoginFailure records a failed login under each key at at, and
	// forgets failures older than prune.
	AddLoginFailure(ctx context.Context, keys []string, at, prune time.Time) error
	// LoginFailures returns the times of the key's failures since since,
	// ascending.
	LoginFailures(ctx context.Context, key string, since time.Time) ([]time.Time, error)
	// ClearLoginFailures forgets the key's failures.
	ClearLoginFailures(ctx context.Context, key string) error
}
