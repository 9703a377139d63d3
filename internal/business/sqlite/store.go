package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const businessColumns = `id, owner_id, name, subdomain, time_zone, min_notice_minutes, horizon_days,
	slot_interval_minutes, created_at, updated_at`

// scanner is a row being scanned.
type scanner = sqldb.Scanner

func scanBusiness(row scanner) (business.Business, error) {
	var b business.Business
	var created, updated int64
	err := row.Scan(&b.ID, &b.OwnerID, &b.Name, &b.Subdomain, &b.TimeZone, &b.Rules.MinNoticeMinutes,
		&b.Rules.HorizonDays, &b.Rules.SlotIntervalMinutes, &created, &updated)
	if err != nil {
		return b, interpretError(err)
	}
	b.CreatedAt, b.UpdatedAt = fromMicros(created), fromMicros(updated)
	return b, nil
}

// CreateBusiness inserts b.
func (s *Store) CreateBusiness(ctx context.Context, b business.Business) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO businesses (`+businessColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.ID, b.OwnerID, b.Name, b.Subdomain, b.TimeZone, b.Rules.MinNoticeMinutes, b.Rules.HorizonDays,
		b.Rules.SlotIntervalMinutes, micros(b.CreatedAt), micros(b.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert business %s: %w", b.ID, interpretError(err))
	}
	return nil
}

// Business returns the business id.
func (s *Store) Business(ctx context.Context, id string) (business.Business, error) {
	return scanBusiness(s.q(ctx).QueryRowContext(ctx, `SELECT `+businessColumns+` FROM businesses WHERE id = ?`, id))
}

// BusinessBySubdomain returns the business at subdomain.
func (s *Store) BusinessBySubdomain(ctx context.Context, subdomain string) (business.Business, error) {
	return scanBusiness(s.q(ctx).QueryRowContext(ctx, `SELECT `+businessColumns+` FROM businesses WHERE subdomain = ?`, subdomain))
}

// Businesses lists the businesses of ownerID ("" for all), oldest first.
func (s *Store) Businesses(ctx context.Context, ownerID string) ([]business.Business, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+businessColumns+` FROM businesses
		WHERE ? = '' OR owner_id = ? ORDER BY created_at, id`, ownerID, ownerID)
	if err != nil {
		return nil, fmt.Errorf("list businesses: %w", err)
	}
	return sqldb.Collect(rows, scanBusiness)
}

// UpdateBusiness applies fn to the business and writes it, in one
// transaction (SQLite's write lock is taken at its start).
func (s *Store) UpdateBusiness(ctx context.Context, id string, fn func(*business.Business) error) (business.Business, error) {
	var out business.Business
	err := s.Atomically(ctx, func(ctx context.Context) error {
		b, err := s.Business(ctx, id)
		if err != nil {
			return err
		}
		if err := fn(&b); err != nil {
			return err
		}
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE businesses SET name = ?, subdomain = ?, time_zone = ?,
			min_notice_minutes = ?, horizon_days = ?, slot_interval_minutes = ?, updated_at = ? WHERE id = ?`,
			b.Name, b.Subdomain, b.TimeZone, b.Rules.MinNoticeMinutes, b.Rules.HorizonDays,
			b.Rules.SlotIntervalMinutes, micros(b.UpdatedAt), b.ID)
		if err != nil {
			return fmt.Errorf("update business %s: %w", id, interpretError(err))
		}
		out = b
		return nil
	})
	return out, err
}

const offeringColumns = `id, business_id, name, description, duration_minutes, price_minor, currency,
	buffer_before, buffer_after, requires_payment, min_notice_minutes, horizon_days, slot_interval_minutes,
	created_at, updated_at`

func scanOffering(row scanner) (business.Offering, error) {
	var o business.Offering
	var minNotice, horizon, interval sql.NullInt64
	var created, updated int64
	err := row.Scan(&o.ID, &o.BusinessID, &o.Name, &o.Description, &o.DurationMinutes, &o.PriceMinor, &o.Currency,
		&o.BufferBefore, &o.BufferAfter, &o.RequiresPayment, &minNotice, &horizon, &interval, &created, &updated)
	if err != nil {
		return o, interpretError(err)
	}
	o.Rules = business.RuleOverrides{MinNoticeMinutes: intPtr(minNotice), HorizonDays: intPtr(horizon), SlotIntervalMinutes: intPtr(interval)}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return o, nil
}

func offeringArgs(o business.Offering) []any {
	return []any{o.Name, o.Description, o.DurationMinutes, o.PriceMinor, o.Currency, o.BufferBefore, o.BufferAfter,
		o.RequiresPayment, nullInt(o.Rules.MinNoticeMinutes), nullInt(o.Rules.HorizonDays),
		nullInt(o.Rules.SlotIntervalMinutes)}
}

// CreateOffering inserts o.
func (s *Store) CreateOffering(ctx context.Context, o business.Offering) error {
	args := append([]any{o.ID, o.BusinessID}, offeringArgs(o)...)
	args = append(args, micros(o.CreatedAt), micros(o.UpdatedAt))
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO services (`+offeringColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return fmt.Errorf("insert service %s: %w", o.ID, interpretError(err))
	}
	return nil
}

// Offering returns a service of a business.
func (s *Store) Offering(ctx context.Context, businessID, id string) (business.Offering, error) {
	return scanOffering(s.q(ctx).QueryRowContext(ctx, `SELECT `+offeringColumns+` FROM services
		WHERE business_id = ? AND id = ?`, businessID, id))
}

// Offerings lists a business's services, oldest first.
func (s *Store) Offerings(ctx context.Context, businessID string) ([]business.Offering, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+offeringColumns+` FROM services
		WHERE business_id = ? ORDER BY created_at, id`, businessID)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return sqldb.Collect(rows, scanOffering)
}

// UpdateOffering applies fn to a service and writes it, in one transaction.
func (s *Store) UpdateOffering(ctx context.Context, businessID, id string, fn func(*business.Offering) error) (business.Offering, error) {
	var out business.Offering
	err := s.Atomically(ctx, func(ctx context.Context) error {
		o, err := s.Offering(ctx, businessID, id)
		if err != nil {
			return err
		}
		if err := fn(&o); err != nil {
			return err
		}
		args := append(offeringArgs(o), micros(o.UpdatedAt), businessID, id)
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE services SET name = ?, description = ?, duration_minutes = ?,
			price_minor = ?, currency = ?, buffer_before = ?, buffer_after = ?, requires_payment = ?,
			min_notice_minutes = ?, horizon_days = ?, slot_interval_minutes = ?, updated_at = ?
			WHERE business_id = ? AND id = ?`, args...)
		if err != nil {
			return fmt.Errorf("update service %s: %w", id, interpretError(err))
		}
		out = o
		return nil
	})
	return out, err
}

// DeleteOffering removes a service of a business.
func (s *Store) DeleteOffering(ctx context.Context, businessID, id string) error {
	return affected(s.q(ctx).ExecContext(ctx, `DELETE FROM services WHERE business_id = ? AND id = ?`, businessID, id))
}

const staffColumns = `id, business_id, name, email, service_ids, implicit, created_at, updated_at`

func scanStaff(row scanner) (business.Staff, error) {
	var st business.Staff
	var ids string
	var created, updated int64
	if err := row.Scan(&st.ID, &st.BusinessID, &st.Name, &st.Email, &ids, &st.Implicit, &created, &updated); err != nil {
		return st, interpretError(err)
	}
	if err := json.Unmarshal([]byte(ids), &st.ServiceIDs); err != nil {
		return st, fmt.Errorf("staff %s service_ids: %w", st.ID, err)
	}
	st.CreatedAt, st.UpdatedAt = fromMicros(created), fromMicros(updated)
	return st, nil
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// CreateStaff inserts st.
func (s *Store) CreateStaff(ctx context.Context, st business.Staff) error {
	ids, err := jsonText(nonNil(st.ServiceIDs))
	if err != nil {
		return err
	}
	_, err = s.q(ctx).ExecContext(ctx, `INSERT INTO staff (`+staffColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		st.ID, st.BusinessID, st.Name, st.Email, ids, st.Implicit, micros(st.CreatedAt), micros(st.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert staff %s: %w", st.ID, interpretError(err))
	}
	return nil
}

// StaffMember returns a staff member of a business.
func (s *Store) StaffMember(ctx context.Context, businessID, id string) (business.Staff, error) {
	return scanStaff(s.q(ctx).QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff
		WHERE business_id = ? AND id = ?`, businessID, id))
}

// Staff lists a business's staff, oldest first.
func (s *Store) Staff(ctx context.Context, businessID string) ([]business.Staff, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+staffColumns+` FROM staff
		WHERE business_id = ? ORDER BY created_at, id`, businessID)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return sqldb.Collect(rows, scanStaff)
}

// UpdateStaff replaces a staff member's name and service ids.
func (s *Store) UpdateStaff(ctx context.Context, st business.Staff) error {
	ids, err := jsonText(nonNil(st.ServiceIDs))
	if err != nil {
		return err
	}
	return affected(s.q(ctx).ExecContext(ctx, `UPDATE staff SET name = ?, service_ids = ?, updated_at = ?
		WHERE business_id = ? AND id = ?`, st.Name, ids, micros(st.UpdatedAt), st.BusinessID, st.ID))
}

// DeleteStaff removes a staff member and their opening hours.
func (s *Store) DeleteStaff(ctx context.Context, businessID, id string) error {
	return s.Atomically(ctx, func(ctx context.Context) error {
		if _, err := s.q(ctx).ExecContext(ctx, `DELETE FROM availability WHERE business_id = ? AND staff_id = ?`, businessID, id); err != nil {
			return fmt.Errorf("delete availability of %s: %w", id, err)
		}
		return affected(s.q(ctx).ExecContext(ctx, `DELETE FROM staff WHERE business_id = ? AND id = ?`, businessID, id))
	})
}

// Availability returns a staff member's opening hours.
func (s *Store) Availability(ctx context.Context, businessID, staffID string) (business.Availability, error) {
	a := business.Availability{BusinessID: businessID, StaffID: staffID}
	var weekly, overrides string
	var updated int64
	err := s.q(ctx).QueryRowContext(ctx, `SELECT weekly, overrides, updated_at FROM availability
		WHERE business_id = ? AND staff_id = ?`, businessID, staffID).Scan(&weekly, &overrides, &updated)
	if err != nil {
		return a, interpretError(err)
	}
	if err := json.Unmarshal([]byte(weekly), &a.Weekly); err != nil {
		return a, fmt.Errorf("availability %s weekly: %w", staffID, err)
	}
	if err := json.Unmarshal([]byte(overrides), &a.Overrides); err != nil {
		return a, fmt.Errorf("availability %s overrides: %w", staffID, err)
	}
	a.UpdatedAt = fromMicros(updated)
	return a, nil
}

// PutAvailability replaces a staff member's opening hours.
func (s *Store) PutAvailability(ctx context.Context, a business.Availability) error {
	weekly, err := jsonText(nonNil(a.Weekly))
	if err != nil {
		return err
	}
	overrides, err := jsonText(nonNil(a.Overrides))
	if err != nil {
		return err
	}
	_, err = s.q(ctx).ExecContext(ctx, `INSERT INTO availability (staff_id, business_id, weekly, overrides, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (staff_id) DO UPDATE SET
		weekly = excluded.weekly, overrides = excluded.overrides, updated_at = excluded.updated_at`,
		a.StaffID, a.BusinessID, weekly, overrides, micros(a.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put availability %s: %w", a.StaffID, interpretError(err))
	}
	return nil
}

// Owner returns the projected user.
func (s *Store) Owner(ctx context.Context, userID string) (business.Owner, error) {
	var o business.Owner
	var updated int64
	err := s.q(ctx).QueryRowContext(ctx, `SELECT user_id, email, first_name, last_name, deleted, updated_at
		FROM owners WHERE user_id = ?`, userID).Scan(&o.UserID, &o.Email, &o.FirstName, &o.LastName, &o.Deleted, &updated)
	if err != nil {
		return o, interpretError(err)
	}
	o.UpdatedAt = fromMicros(updated)
	return o, nil
}

// LockOwner makes sure the owner's row exists and returns it; the
// transaction already holds SQLite's write lock.
func (s *Store) LockOwner(ctx context.Context, userID string, now time.Time) (business.Owner, error) {
	var o business.Owner
	err := s.Atomically(ctx, func(ctx context.Context) error {
		if _, err := s.q(ctx).ExecContext(ctx, `INSERT INTO owners (user_id, email, first_name, last_name, deleted, updated_at)
		VALUES (?, '', '', '', 0, ?) ON CONFLICT (user_id) DO NOTHING`, userID, micros(now)); err != nil {
			return fmt.Errorf("lock owner %s: %w", userID, err)
		}
		var updated int64
		err := s.q(ctx).QueryRowContext(ctx, `SELECT user_id, email, first_name, last_name, deleted, updated_at
		FROM owners WHERE user_id = ?`, userID).
			Scan(&o.UserID, &o.Email, &o.FirstName, &o.LastName, &o.Deleted, &updated)
		if err != nil {
			return fmt.Errorf("lock owner %s: %w", userID, interpretError(err))
		}
		o.UpdatedAt = fromMicros(updated)
		return nil
	})
	return o, err
}

// PutOwner inserts or replaces a projected user.
func (s *Store) PutOwner(ctx context.Context, o business.Owner) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO owners (user_id, email, first_name, last_name, deleted, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET email = excluded.email,
		first_name = excluded.first_name, last_name = excluded.last_name, deleted = excluded.deleted,
		updated_at = excluded.updated_at`,
		o.UserID, o.Email, o.FirstName, o.LastName, o.Deleted, micros(o.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put owner %s: %w", o.UserID, err)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
