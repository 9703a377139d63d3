package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const staffColumns = `id, business_id, name, email, service_ids, implicit, created_at, updated_at`

func scanStaff(row sqldb.Scanner) (business.Staff, error) {
	var st business.Staff
	var ids string
	err := row.Scan(&st.ID, &st.BusinessID, &st.Name, &st.Email, &ids, &st.Implicit,
		sqldb.Instant(&st.CreatedAt), sqldb.Instant(&st.UpdatedAt))
	if err != nil {
		return st, interpretError(err)
	}
	if err := json.Unmarshal([]byte(ids), &st.ServiceIDs); err != nil {
		return st, fmt.Errorf("staff %s service_ids: %w", st.ID, err)
	}
	return st, nil
}

// CreateStaff inserts st.
func (s *Store) CreateStaff(ctx context.Context, st business.Staff) error {
	ids, err := jsonText(st.ServiceIDs)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO staff (`+staffColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		st.ID, st.BusinessID, st.Name, st.Email, ids, st.Implicit, s.db.Time(st.CreatedAt), s.db.Time(st.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert staff %s: %w", st.ID, interpretError(err))
	}
	return nil
}

// StaffMember returns a staff member of a business.
func (s *Store) StaffMember(ctx context.Context, businessID, id string) (business.Staff, error) {
	return scanStaff(s.db.QueryRow(ctx, `SELECT `+staffColumns+` FROM staff
		WHERE business_id = ? AND id = ?`, businessID, id))
}

// Staff lists a business's staff, oldest first.
func (s *Store) Staff(ctx context.Context, businessID string) ([]business.Staff, error) {
	rows, err := s.db.Query(ctx, `SELECT `+staffColumns+` FROM staff
		WHERE business_id = ? ORDER BY created_at, id`, businessID)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return sqldb.Collect(rows, scanStaff)
}

// UpdateStaff replaces a staff member's name and service ids.
func (s *Store) UpdateStaff(ctx context.Context, st business.Staff) error {
	ids, err := jsonText(st.ServiceIDs)
	if err != nil {
		return err
	}
	return affected(s.db.Exec(ctx, `UPDATE staff SET name = ?, service_ids = ?, updated_at = ?
		WHERE business_id = ? AND id = ?`, st.Name, ids, s.db.Time(st.UpdatedAt), st.BusinessID, st.ID))
}

// DeleteStaff removes a staff member and their opening hours.
func (s *Store) DeleteStaff(ctx context.Context, businessID, id string) error {
	return s.Atomically(ctx, func(ctx context.Context) error {
		if _, err := s.db.Exec(ctx, `DELETE FROM availability WHERE business_id = ? AND staff_id = ?`, businessID, id); err != nil {
			return fmt.Errorf("delete availability of %s: %w", id, err)
		}
		return affected(s.db.Exec(ctx, `DELETE FROM staff WHERE business_id = ? AND id = ?`, businessID, id))
	})
}
