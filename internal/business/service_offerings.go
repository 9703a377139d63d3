package business

import (
	"context"
	"fmt"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
)

// CreateOffering adds a service to one of the actor's businesses; records
// service.created.
func (s *Service) CreateOffering(ctx context.Context, actor Actor, businessID string, in OfferingInput) (Offering, error) {
	if _, err := s.owned(ctx, actor, businessID); err != nil {
		return Offering{}, err
	}
	o, err := in.Build(businessID)
	if err != nil {
		return Offering{}, err
	}
	now := s.clock()
	o.ID, o.CreatedAt, o.UpdatedAt = s.newID(offeringPrefix), now, now
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.CreateOffering(ctx, o); err != nil {
			return storeError(err, "create service")
		}
		return s.record(ctx, businessID, event.TypeServiceCreated, serviceCreated(o))
	})
	if err != nil {
		return Offering{}, err
	}
	return o, nil
}

// Offerings lists the services of one of the actor's businesses.
func (s *Service) Offerings(ctx context.Context, actor Actor, businessID string) ([]Offering, error) {
	if _, err := s.owned(ctx, actor, businessID); err != nil {
		return nil, err
	}
	os, err := s.store.Offerings(ctx, businessID)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return os, nil
}

// Offering returns one service of one of the actor's businesses.
func (s *Service) Offering(ctx context.Context, actor Actor, businessID, id string) (Offering, error) {
	if _, err := s.owned(ctx, actor, businessID); err != nil {
		return Offering{}, err
	}
	o, err := s.store.Offering(ctx, businessID, id)
	if err != nil {
		return Offering{}, storeError(err, "service "+id)
	}
	return o, nil
}

// UpdateOffering changes a service; records service.updated with the
// changes (nothing when nothing changed).
func (s *Service) UpdateOffering(ctx context.Context, actor Actor, businessID, id string, in OfferingInput) (Offering, error) {
	if _, err := s.owned(ctx, actor, businessID); err != nil {
		return Offering{}, err
	}
	var out Offering
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		var changes map[string]any
		o, err := s.store.UpdateOffering(ctx, businessID, id, func(o *Offering) error {
			c, err := in.ApplyTo(o, false)
			if err != nil {
				return err
			}
			if changes = c; len(c) > 0 {
				o.UpdatedAt = s.clock()
			}
			return nil
		})
		if err != nil {
			return storeError(err, "service "+id)
		}
		out = o
		if len(changes) == 0 {
			return nil
		}
		return s.record(ctx, businessID, event.TypeServiceUpdated, event.ServiceUpdated{
			ServiceID: id, BusinessID: businessID, Changes: changes,
		})
	})
	return out, err
}

// DeleteOffering removes a service and takes it off every staff member who
// performed it; records service.deleted and a staff.updated per member.
func (s *Service) DeleteOffering(ctx context.Context, actor Actor, businessID, id string) error {
	if _, err := s.owned(ctx, actor, businessID); err != nil {
		return err
	}
	return s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.DeleteOffering(ctx, businessID, id); err != nil {
			return storeError(err, "service "+id)
		}
		if err := s.record(ctx, businessID, event.TypeServiceDeleted, event.ServiceDeleted{ServiceID: id, BusinessID: businessID}); err != nil {
			return err
		}
		return s.dropServiceFromStaff(ctx, businessID, id)
	})
}

func (s *Service) dropServiceFromStaff(ctx context.Context, businessID, serviceID string) error {
	staff, err := s.store.Staff(ctx, businessID)
	if err != nil {
		return fmt.Errorf("list staff: %w", err)
	}
	for _, st := range staff {
		ids, had := st.WithoutService(serviceID)
		if !had {
			continue
		}
		st.ServiceIDs, st.UpdatedAt = ids, s.clock()
		if err := s.store.UpdateStaff(ctx, st); err != nil {
			return storeError(err, "update staff "+st.ID)
		}
		if err := s.record(ctx, businessID, event.TypeStaffUpdated, event.StaffUpdated(staffCreated(st))); err != nil {
			return err
		}
	}
	return nil
}

// notFound is the answer for anything outside the actor's businesses.
func notFound(what, id string) error { return apperr.New(apperr.NotFound, "no %s %q", what, id) }
