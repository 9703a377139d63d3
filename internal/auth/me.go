package auth

import (
	"context"
	"errors"
	"maps"

	"github.com/slotwise/slotwise/internal/event"
)

// Me returns the live user id.
func (s *Service) Me(ctx context.Context, id string) (User, error) {
	var u User
	err := s.d.Store.Atomically(ctx, func(ctx context.Context) error {
		var err error
		u, err = s.liveUser(ctx, id)
		return err
	})
	return u, err
}

func (s *Service) liveUser(ctx context.Context, id string) (User, error) {
	u, err := s.d.Store.UserByID(ctx, id)
	if err == nil && u.Deleted() {
		err = ErrNotFound
	}
	if err != nil {
		return User{}, storeError(err)
	}
	return u, nil
}

// UpdateMe applies p to the user id and records user.updated with the
// changed fields (never the password). A new password revokes every
// refresh token of the user. Nothing changed, nothing recorded.
func (s *Service) UpdateMe(ctx context.Context, id string, p Patch) (User, error) {
	if err := p.Validate(); err != nil {
		return User{}, err
	}
	hash := ""
	if p.Password != nil {
		var err error
		if hash, err = s.d.Hasher.Hash(*p.Password); err != nil {
			return User{}, err
		}
	}
	var u User
	err := s.d.Store.Atomically(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.liveUser(ctx, id); err != nil {
			return err
		}
		changes, pwChanged := p.Apply(&u)
		if len(changes) == 0 && !pwChanged {
			return nil
		}
		u.UpdatedAt = s.now()
		return s.saveUpdate(ctx, u, hash, changes)
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

func (s *Service) saveUpdate(ctx context.Context, u User, hash string, changes map[string]any) error {
	if err := s.d.Store.UpdateUser(ctx, u, hash); err != nil {
		return storeError(err)
	}
	if hash != "" {
		if _, err := s.d.Store.RevokeUserTokens(ctx, u.ID, u.UpdatedAt); err != nil {
			return err
		}
	}
	if len(changes) == 0 {
		return nil
	}
	_, err := s.d.Events.Record(ctx, u.ID, event.TypeUserUpdated, event.UserUpdated{UserID: u.ID, Changes: maps.Clone(changes)})
	return err
}

// DeleteMe deletes the user id: the account is anonymised and marked
// deleted, its refresh tokens revoked, and user.deleted recorded. Access
// tokens already issued expire on their own; the user can no longer log
// in or refresh.
func (s *Service) DeleteMe(ctx context.Context, id string) error {
	now := s.now()
	return s.d.Store.Atomically(ctx, func(ctx context.Context) error {
		err := s.d.Store.DeleteUser(ctx, id, now)
		if errors.Is(err, ErrNotFound) {
			return storeError(err)
		}
		if err != nil {
			return err
		}
		if _, err := s.d.Store.RevokeUserTokens(ctx, id, now); err != nil {
			return err
		}
		_, err = s.d.Events.Record(ctx, id, event.TypeUserDeleted, event.UserDeleted{UserID: id})
		return err
	})
}
