package business

import (
	"context"
	"errors"
	"fmt"

	"github.com/slotwise/slotwise/internal/event"
)

// AddStaff adds an explicit staff member to one of the actor's businesses;
// records staff.created. The first one retires the implicit member
// (staff.deleted).
func (s *Service) AddStaff(ctx context.Context, actor Actor, businessID string, in StaffInput) (Staff, error) {
	if _, err := s.owned(ctx, actor, businessID); err != nil {
		return Staff{}, err
	}
	var out Staff
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		known, err := s.serviceIDs(ctx, businessID)
		if err != nil {
			return err
		}
		st, err := in.Build(businessID, func(id string) bool { return known[id] })
		if err != nil {
			return err
		}
		now := s.clock()
		st.ID, st.CreatedAt, st.UpdatedAt = s.newID(staffPrefix), now, now
		if err := s.retireImplicit(ctx, businessID); err != nil {
			return err
		}
		if err := s.store.CreateStaff(ctx, st); err != nil {
			return storeError(err, "create staff")
		}
		out = st
		return s.record(ctx, businessID, event.TypeStaffCreated, staffCreated(st))
	})
	return out, err
}

func (s *Service) serviceIDs(ctx context.Context, businessID string) (map[string]bool, error) {
	os, err := s.store.Offerings(ctx, businessID)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	known := make(map[string]bool, len(os))
	for _, o := range os {
		known[o.ID] = true
	}
	return known, nil
}

// retireImplicit deletes the implicit staff member, if there still is one.
func (s *Service) retireImplicit(ctx context.Context, businessID string) error {
	staff, err := s.store.Staff(ctx, businessID)
	if err != nil {
		return fmt.Errorf("list staff: %w", err)
	}
	for _, st := range staff {
		if !st.Implicit {
			continue
		}
		if err := s.store.DeleteStaff(ctx, businessID, st.ID); err != nil {
			return storeError(err, "retire implicit staff")
		}
		if err := s.record(ctx, businessID, event.TypeStaffDeleted, event.StaffDeleted{StaffID: st.ID, BusinessID: businessID, Implicit: true}); err != nil {
			return err
		}
	}
	return nil
}

// ListStaff lists the staff of one of the actor's businesses.
func (s *Service) ListStaff(ctx context.Context, actor Actor, businessID string) ([]Staff, error) {
	if _, err := s.owned(ctx, actor, businessID); err != nil {
		return nil, err
	}
	staff, err := s.store.Staff(ctx, businessID)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return staff, nil
}

// SetAvailability replaces a staff member's opening hours; records
// availability.updated with the business's time zone, which it returns with
// the hours as stored.
func (s *Service) SetAvailability(ctx context.Context, actor Actor, businessID, staffID string, a Availability) (Availability, string, error) {
	b, err := s.owned(ctx, actor, businessID)
	if err != nil {
		return Availability{}, "", err
	}
	a, err = a.Check()
	if err != nil {
		return Availability{}, "", err
	}
	a.BusinessID, a.StaffID, a.UpdatedAt = businessID, staffID, s.clock()
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if _, err := s.store.StaffMember(ctx, businessID, staffID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return notFound("staff member", staffID)
			}
			return fmt.Errorf("load staff %s: %w", staffID, err)
		}
		if err := s.store.PutAvailability(ctx, a); err != nil {
			return fmt.Errorf("put availability: %w", err)
		}
		return s.record(ctx, businessID, event.TypeAvailabilityUpdated, event.AvailabilityUpdated{
			BusinessID: businessID, StaffID: staffID, TimeZone: b.TimeZone, Weekly: a.Weekly, Overrides: a.Overrides,
		})
	})
	if err != nil {
		return Availability{}, "", err
	}
	return a, b.TimeZone, nil
}

// Availability returns a staff member's opening hours (empty when none were
// set) and the business's time zone they are in.
func (s *Service) Availability(ctx context.Context, actor Actor, businessID, staffID string) (Availability, string, error) {
	b, err := s.owned(ctx, actor, businessID)
	if err != nil {
		return Availability{}, "", err
	}
	if _, err := s.store.StaffMember(ctx, businessID, staffID); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Availability{}, "", notFound("staff member", staffID)
		}
		return Availability{}, "", fmt.Errorf("load staff %s: %w", staffID, err)
	}
	a, err := s.store.Availability(ctx, businessID, staffID)
	if errors.Is(err, ErrNotFound) {
		return Availability{BusinessID: businessID, StaffID: staffID, Weekly: []event.WeeklyInterval{}, Overrides: []event.DateOverride{}}, b.TimeZone, nil
	}
	if err != nil {
		return Availability{}, "", fmt.Errorf("load availability: %w", err)
	}
	return a, b.TimeZone, nil
}
