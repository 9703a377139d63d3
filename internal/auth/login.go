package auth

import (
	"context"
	"errors"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
)

// Login checks an e-mail and password and starts a session. Failed logins
// are recorded per e-mail and per client address; past the throttle's
// limit, logins are refused with TooManyRequests (with RetryAfter) without
// checking the password. An unknown e-mail costs the same password check
// as a known one.
func (s *Service) Login(ctx context.Context, email, password, clientAddr string) (Session, error) {
	email, err := NormalizeEmail("email", email)
	if err != nil {
		return Session{}, err
	}
	if password == "" {
		return Session{}, apperr.Field(apperr.Invalid, "password", "password is required")
	}
	keys := []string{emailKey(email), addressKey(clientAddr)}
	u, hash, err := s.loginLookup(ctx, email, keys)
	if err != nil {
		return Session{}, err
	}
	if hash == "" {
		hash = s.dummyHash
	}
	ok := s.d.Hasher.Matches(hash, password) && u.ID != ""
	if !ok {
		return Session{}, s.loginFailed(ctx, keys)
	}
	var sess Session
	err = s.d.Store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.d.Store.ClearLoginFailures(ctx, keys[0]); err != nil {
			return err
		}
		sess, err = s.startSession(ctx, u, "")
		return err
	})
	if err != nil {
		return Session{}, err
	}
	return s.signAccess(sess)
}

// loginLookup checks the throttle and reads the user of email with its
// password hash (zero values when there is none).
func (s *Service) loginLookup(ctx context.Context, email string, keys []string) (User, string, error) {
	var (
		u     User
		hash  string
		retry time.Duration
	)
	now := s.now()
	err := s.d.Store.Atomically(ctx, func(ctx context.Context) error {
		limits := []int{s.d.Throttle.PerEmail, s.d.Throttle.PerAddress}
		for i, key := range keys {
			times, err := s.d.Store.LoginFailures(ctx, key, now.Add(-s.d.Throttle.Window))
			if err != nil {
				return err
			}
			if after, blocked := s.d.Throttle.Blocked(times, limits[i], now); blocked {
				retry = max(retry, after)
			}
		}
		if retry > 0 {
			return nil
		}
		var err error
		u, hash, err = s.d.Store.UserByEmail(ctx, email)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return User{}, "", err
	}
	if retry > 0 {
		return User{}, "", &apperr.Error{Code: apperr.TooManyRequests, RetryAfter: retry, Err: ErrThrottled,
			Message: "too many failed logins; try again later"}
	}
	return u, hash, nil
}

func (s *Service) loginFailed(ctx context.Context, keys []string) error {
	now := s.now()
	err := s.d.Store.Atomically(ctx, func(ctx context.Context) error {
		return s.d.Store.AddLoginFailure(ctx, keys, now, now.Add(-s.d.Throttle.Window))
	})
	if err != nil {
		return err
	}
	return &apperr.Error{Code: apperr.Unauthenticated, Message: "invalid e-mail or password", Err: ErrInvalidCredentials}
}

// Refresh exchanges a live refresh token for a new access token and the
// next refresh token of its family. Presenting a spent token revokes the
// whole family (someone else holds a copy) and is refused.
func (s *Service) Refresh(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, apperr.Field(apperr.Invalid, "refreshToken", "refreshToken is required")
	}
	var (
		sess   Session
		reused bool
	)
	now := s.now()
	err := s.d.Store.Atomically(ctx, func(ctx context.Context) error {
		var err error
		sess, reused, err = s.rotate(ctx, HashRefreshToken(token), now)
		return err
	})
	switch {
	case err != nil:
		return Session{}, err
	case reused:
		s.d.Logger.WarnContext(ctx, "refresh token reused; family revoked", "user", sess.User.ID)
		return Session{}, &apperr.Error{Code: apperr.Unauthenticated, Message: "refresh token already used; sign in again", Err: ErrRefreshTokenReused}
	}
	return s.signAccess(sess)
}

// rotate spends the token and starts its successor, or revokes the family
// of a spent token (reused is then true and the transaction must commit).
func (s *Service) rotate(ctx context.Context, hash string, now time.Time) (Session, bool, error) {
	t, err := s.d.Store.RefreshToken(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return Session{}, false, invalidRefresh()
	}
	if err != nil {
		return Session{}, false, err
	}
	if t.RevokedAt != nil || !now.Before(t.ExpiresAt) {
		return Session{}, false, invalidRefresh()
	}
	spent, err := s.d.Store.SpendRefreshToken(ctx, hash, now)
	if err != nil {
		return Session{}, false, err
	}
	if !spent {
		if _, err := s.d.Store.RevokeFamily(ctx, t.FamilyID, now); err != nil {
			return Session{}, false, err
		}
		return Session{User: User{ID: t.UserID}}, true, nil
	}
	u, err := s.d.Store.UserByID(ctx, t.UserID)
	if err != nil || u.Deleted() {
		return Session{}, false, invalidRefresh()
	}
	sess, err := s.startSession(ctx, u, t.FamilyID)
	return sess, false, err
}

func invalidRefresh() error {
	return &apperr.Error{Code: apperr.Unauthenticated, Message: "refresh token is invalid, expired or revoked", Err: ErrInvalidRefreshToken}
}

// Logout revokes the family of a refresh token (that login's session on
// every device it was refreshed on). An unknown token is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return apperr.Field(apperr.Invalid, "refreshToken", "refreshToken is required")
	}
	now := s.now()
	return s.d.Store.Atomically(ctx, func(ctx context.Context) error {
		t, err := s.d.Store.RefreshToken(ctx, HashRefreshToken(token))
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = s.d.Store.RevokeFamily(ctx, t.FamilyID, now)
		return err
	})
}
