package business

import (
	"context"
	"fmt"

	"github.com/slotwise/slotwise/internal/event"
)

// The owner projection: the business service's copy of users, from the
// auth service's user.* events. The handlers run inside the consumer's
// transaction (ctx carries it), so they are idempotent together with the
// inbox; user.updated before user.created (a redelivery out of order)
// creates a partial row that user.created completes. Both the handlers and
// CreateBusiness lock the owner's row first (Store.LockOwner), so on
// PostgreSQL a business created while its owner's event is being projected
// still gets the owner's name for its implicit staff member.

// ApplyUserCreated records a user and renames the implicit staff member of
// their businesses.
func (s *Service) ApplyUserCreated(ctx context.Context, u event.UserCreated) error {
	o := Owner{UserID: u.UserID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, UpdatedAt: s.clock()}
	return s.putOwner(ctx, o)
}

// ApplyUserUpdated applies a user's changed e-mail and names.
func (s *Service) ApplyUserUpdated(ctx context.Context, u event.UserUpdated) error {
	o, err := s.store.LockOwner(ctx, u.UserID, s.clock())
	if err != nil {
		return fmt.Errorf("lock owner %s: %w", u.UserID, err)
	}
	for key, dst := range map[string]*string{"email": &o.Email, "firstName": &o.FirstName, "lastName": &o.LastName} {
		if v, ok := u.Changes[key].(string); ok {
			*dst = v
		}
	}
	o.UpdatedAt = s.clock()
	return s.putOwner(ctx, o)
}

// ApplyUserDeleted marks a user deleted and forgets their personal data.
// Their businesses stay (an admin decides about them).
func (s *Service) ApplyUserDeleted(ctx context.Context, u event.UserDeleted) error {
	o := Owner{UserID: u.UserID, Deleted: true, UpdatedAt: s.clock()}
	if err := s.store.PutOwner(ctx, o); err != nil {
		return fmt.Errorf("put owner %s: %w", u.UserID, err)
	}
	return nil
}

func (s *Service) putOwner(ctx context.Context, o Owner) error {
	prev, err := s.store.LockOwner(ctx, o.UserID, o.UpdatedAt)
	if err != nil {
		return fmt.Errorf("lock owner %s: %w", o.UserID, err)
	}
	if prev.Deleted {
		return nil // a late event about a deleted user must not revive them
	}
	if err := s.store.PutOwner(ctx, o); err != nil {
		return fmt.Errorf("put owner %s: %w", o.UserID, err)
	}
	return s.renameImplicitStaff(ctx, o)
}

// renameImplicitStaff gives the implicit staff member of each of the
// owner's businesses the owner's name; records staff.updated.
func (s *Service) renameImplicitStaff(ctx context.Context, o Owner) error {
	bs, err := s.store.Businesses(ctx, o.UserID)
	if err != nil {
		return fmt.Errorf("list businesses of %s: %w", o.UserID, err)
	}
	for _, b := range bs {
		staff, err := s.store.Staff(ctx, b.ID)
		if err != nil {
			return fmt.Errorf("list staff: %w", err)
		}
		for _, st := range staff {
			if !st.Implicit || st.Name == o.DisplayName() {
				continue
			}
			st.Name, st.UpdatedAt = o.DisplayName(), s.clock()
			if err := s.store.UpdateStaff(ctx, st); err != nil {
				return fmt.Errorf("rename implicit staff %s: %w", st.ID, err)
			}
			if err := s.record(ctx, b.ID, event.TypeStaffUpdated, event.StaffUpdated(staffCreated(st))); err != nil {
				return err
			}
		}
	}
	return nil
}
