package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Availability returns a staff member's opening hours.
func (s *Store) Availability(ctx context.Context, businessID, staffID string) (business.Availability, error) {
	a := business.Availability{BusinessID: businessID, StaffID: staffID}
	var weekly, overrides string
	err := s.db.QueryRow(ctx, `SELECT weekly, overrides, updated_at FROM availability
		WHERE business_id = ? AND staff_id = ?`, businessID, staffID).Scan(&weekly, &overrides, sqldb.Instant(&a.UpdatedAt))
	if err != nil {
		return a, interpretError(err)
	}
	if err := json.Unmarshal([]byte(weekly), &a.Weekly); err != nil {
		return a, fmt.Errorf("availability %s weekly: %w", staffID, err)
	}
	if err := json.Unmarshal([]byte(overrides), &a.Overrides); err != nil {
		return a, fmt.Errorf("availability %s overrides: %w", staffID, err)
	}
	return a, nil
}

// PutAvailability replaces a staff member's opening hours.
func (s *Store) PutAvailability(ctx context.Context, a business.Availability) error {
	weekly, err := jsonText(a.Weekly)
	if err != nil {
		return err
	}
	overrides, err := jsonText(a.Overrides)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO availability (staff_id, business_id, weekly, overrides, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (staff_id) DO UPDATE SET
		weekly = excluded.weekly, overrides = excluded.overrides, updated_at = excluded.updated_at`,
		a.StaffID, a.BusinessID, weekly, overrides, s.db.Time(a.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put availability %s: %w", a.StaffID, interpretError(err))
	}
	return nil
}
