package postgres

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
	var created, updated time.Time
	err := row.Scan(&b.ID, &b.OwnerID, &b.Name, &b.Subdomain, &b.TimeZone, &b.Rules.MinNoticeMinutes,
		&b.Rules.HorizonDays, &b.Rules.SlotIntervalMinutes, &created, &updated)
	if err != nil {
		return b, interpretError(err)
	}
	b.CreatedAt, b.UpdatedAt = created.UTC(), updated.UTC()
	return b, nil
}

// CreateBusiness inserts b.
func (s *Store) CreateBusiness(ctx context.Context, b business.Business) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO businesses (`+businessColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		b.ID, b.OwnerID, b.Name, b.Subdomain, b.TimeZone, b.Rules.MinNoticeMinutes, b.Rules.HorizonDays,
		b.Rules.SlotIntervalMinutes, b.CreatedAt, b.UpdatedAt)
	if err != nil {
		return fmt.Errorf("insert business %s: %w", b.ID, interpretError(err))
	}
	return nil
}

// Business returns the business id.
func (s *Store) Business(ctx context.Context, id string) (business.Business, error) {
	return scanBusiness(s.q(ctx).QueryRowContext(ctx, `SELECT `+businessColumns+` FROM businesses WHERE id = $1`, id))
}

// BusinessBySubdomain returns the business at subdomain.
func (s *Store) BusinessBySubdomain(ctx context.Context, subdomain string) (business.Business, error) {
	return scanBusiness(s.q(ctx).QueryRowContext(ctx, `SELECT `+businessColumns+` FROM businesses WHERE subdomain = $1`, subdomain))
}

// Businesses lists the businesses of ownerID ("" for all), oldest first.
func (s *Store) Businesses(ctx context.Context, ownerID string) ([]business.Business, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+businessColumns+` FROM businesses
		WHERE $1 = '' OR owner_id = $1 ORDER BY created_at, id`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("list businesses: %w", err)
	}
	return sqldb.Collect(rows, scanBusiness)
}

// UpdateBusiness applies fn to the business and writes it, in one
// transaction, the row locked (FOR UPDATE) in between.
func (s *Store) UpdateBusiness(ctx context.Context, id string, fn func(*business.Business) error) (business.Business, error) {
	var out business.Business
	err := s.Atomically(ctx, func(ctx context.Context) error {
		b, err := scanBusiness(s.q(ctx).QueryRowContext(ctx, `SELECT `+businessColumns+` FROM businesses
			WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if err := fn(&b); err != nil {
			return err
		}
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE businesses SET name = $1, subdomain = $2, time_zone = $3,
			min_notice_minutes = $4, horizon_days = $5, slot_interval_minutes = $6, updated_at = $7 WHERE id = $8`,
			b.Name, b.Subdomain, b.TimeZone, b.Rules.MinNoticeMinutes, b.Rules.HorizonDays,
			b.Rules.SlotIntervalMinutes, b.UpdatedAt, b.ID)
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
	var created, updated time.Time
	err := row.Scan(&o.ID, &o.BusinessID, &o.Name, &o.Description, &o.DurationMinutes, &o.PriceMinor, &o.Currency,
		&o.BufferBefore, &o.BufferAfter, &o.RequiresPayment, &minNotice, &horizon, &interval, &created, &updated)
	if err != nil {
		return o, interpretError(err)
	}
	o.Rules = business.RuleOverrides{MinNoticeMinutes: intPtr(minNotice), HorizonDays: intPtr(horizon), SlotIntervalMinutes: intPtr(interval)}
	o.CreatedAt, o.UpdatedAt = created.UTC(), updated.UTC()
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
	args = append(args, o.CreatedAt, o.UpdatedAt)
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO services (`+offeringColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, args...)
	if err != nil {
		return fmt.Errorf("insert service %s: %w", o.ID, interpretError(err))
	}
	return nil
}

// Offering returns a service of a business.
func (s *Store) Offering(ctx context.Context, businessID, id string) (business.Offering, error) {
	return scanOffering(s.q(ctx).QueryRowContext(ctx, `SELECT `+offeringColumns+` FROM services
		WHERE business_id = $1 AND id = $2`, businessID, id))
}

// Offerings lists a business's services, oldest first.
func (s *Store) Offerings(ctx context.Context, businessID string) ([]business.Offering, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+offeringColumns+` FROM services
		WHERE business_id = $1 ORDER BY created_at, id`, businessID)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return sqldb.Collect(rows, scanOffering)
}

// UpdateOffering applies fn to a service and writes it, in one transaction.
func (s *Store) UpdateOffering(ctx context.Context, businessID, id string, fn func(*business.Offering) error) (business.Offering, error) {
	var out business.Offering
	err := s.Atomically(ctx, func(ctx context.Context) error {
		o, err := scanOffering(s.q(ctx).QueryRowContext(ctx, `SELECT `+offeringColumns+` FROM services
			WHERE business_id = $1 AND id = $2 FOR UPDATE`, businessID, id))
		if err != nil {
			return err
		}
		if err := fn(&o); err != nil {
			return err
		}
		args := append(offeringArgs(o), o.UpdatedAt, businessID, id)
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE services SET name = $1, description = $2, duration_minutes = $3,
			price_minor = $4, currency = $5, buffer_before = $6, buffer_after = $7, requires_payment = $8,
			min_notice_minutes = $9, horizon_days = $10, slot_interval_minutes = $11, updated_at = $12
			WHERE business_id = $13 AND id = $14`, args...)
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
	return affected(s.q(ctx).ExecContext(ctx, `DELETE FROM services WHERE business_id = $1 AND id = $2`, businessID, id))
}

const staffColumns = `id, business_id, name, email, service_ids, implicit, created_at, updated_at`

func scanStaff(row scanner) (business.Staff, error) {
	var st business.Staff
	var ids string
	var created, updated time.Time
	if err := row.Scan(&st.ID, &st.BusinessID, &st.Name, &st.Email, &ids, &st.Implicit, &created, &updated); err != nil {
		return st, interpretError(err)
	}
	if err := json.Unmarshal([]byte(ids), &st.ServiceIDs); err != nil {
		return st, fmt.Errorf("staff %s service_ids: %w", st.ID, err)
	}
	st.CreatedAt, st.UpdatedAt = created.UTC(), updated.UTC()
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
	_, err = s.q(ctx).ExecContext(ctx, `INSERT INTO staff (`+staffColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		st.ID, st.BusinessID, st.Name, st.Email, ids, st.Implicit, st.CreatedAt, st.UpdatedAt)
	if err != nil {
		return fmt.Errorf("insert staff %s: %w", st.ID, interpretError(err))
	}
	return nil
}

// StaffMember returns a staff member of a business.
func (s *Store) StaffMember(ctx context.Context, businessID, id string) (business.Staff, error) {
	return scanStaff(s.q(ctx).QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff
		WHERE business_id = $1 AND id = $2`, businessID, id))
}

// Staff lists a business's staff, oldest first.
func (s *Store) Staff(ctx context.Context, businessID string) ([]business.Staff, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+staffColumns+` FROM staff
		WHERE business_id = $1 ORDER BY created_at, id`, businessID)
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
	return affected(s.q(ctx).ExecContext(ctx, `UPDATE staff SET name = $1, service_ids = $2, updated_at = $3
		WHERE business_id = $4 AND id = $5`, st.Name, ids, st.UpdatedAt, st.BusinessID, st.ID))
}

// DeleteStaff removes a staff member and their opening hours.
func (s *Store) DeleteStaff(ctx context.Context, businessID, id string) error {
	return s.Atomically(ctx, func(ctx context.Context) error {
		if _, err := s.q(ctx).ExecContext(ctx, `DELETE FROM availability WHERE business_id = $1 AND staff_id = $2`, businessID, id); err != nil {
			return fmt.Errorf("delete availability of %s: %w", id, err)
		}
		return affected(s.q(ctx).ExecContext(ctx, `DELETE FROM staff WHERE business_id = $1 AND id = $2`, businessID, id))
	})
}

// Availability returns a staff member's opening hours.
func (s *Store) Availability(ctx context.Context, businessID, staffID string) (business.Availability, error) {
	a := business.Availability{BusinessID: businessID, StaffID: staffID}
	var weekly, overrides string
	var updated time.Time
	err := s.q(ctx).QueryRowContext(ctx, `SELECT weekly, overrides, updated_at FROM availability
		WHERE business_id = $1 AND staff_id = $2`, businessID, staffID).Scan(&weekly, &overrides, &updated)
	if err != nil {
		return a, interpretError(err)
	}
	if err := json.Unmarshal([]byte(weekly), &a.Weekly); err != nil {
		return a, fmt.Errorf("availability %s weekly: %w", staffID, err)
	}
	if err := json.Unmarshal([]byte(overrides), &a.Overrides); err != nil {
		return a, fmt.Errorf("availability %s overrides: %w", staffID, err)
	}
	a.UpdatedAt = updated.UTC()
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
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (staff_id) DO UPDATE SET
		weekly = excluded.weekly, overrides = excluded.overrides, updated_at = excluded.updated_at`,
		a.StaffID, a.BusinessID, weekly, overrides, a.UpdatedAt)
	if err != nil {
		return fmt.Errorf("put availability %s: %w", a.StaffID, interpretError(err))
	}
	return nil
}

// Owner returns the projected user.
func (s *Store) Owner(ctx context.Context, userID string) (business.Owner, error) {
	var o business.Owner
	var updated time.Time
	err := s.q(ctx).QueryRowContext(ctx, `SELECT user_id, email, first_name, last_name, deleted, updated_at
		FROM owners WHERE user_id = $1`, userID).Scan(&o.UserID, &o.Email, &o.FirstName, &o.LastName, &o.Deleted, &updated)
	if err != nil {
		return o, interpretError(err)
	}
	o.UpdatedAt = updated.UTC()
	return o, nil
}

// LockOwner makes sure the owner's row exists and locks it (FOR UPDATE)
// until the transaction ends.
func (s *Store) LockOwner(ctx context.Context, userID string, now time.Time) (business.Owner, error) {
	var o business.Owner
	err := s.Atomically(ctx, func(ctx context.Context) error {
		if _, err := s.q(ctx).ExecContext(ctx, `INSERT INTO owners (user_id, email, first_name, last_name, deleted, updated_at)
		VALUES ($1, '', '', '', false, $2) ON CONFLICT (user_id) DO NOTHING`, userID, now); err != nil {
			return fmt.Errorf("lock owner %s: %w", userID, err)
		}
		var updated time.Time
		err := s.q(ctx).QueryRowContext(ctx, `SELECT user_id, email, first_name, last_name, deleted, updated_at
		FROM owners WHERE user_id = $1 FOR UPDATE`, userID).
			Scan(&o.UserID, &o.Email, &o.FirstName, &o.LastName, &o.Deleted, &updated)
		if err != nil {
			return fmt.Errorf("lock owner %s: %w", userID, interpretError(err))
		}
		o.UpdatedAt = updated.UTC()
		return nil
	})
	return o, err
}

// PutOwner inserts or replaces a projected user.
func (s *Store) PutOwner(ctx context.Context, o business.Owner) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO owners (user_id, email, first_name, last_name, deleted, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET email = excluded.email,
		first_name = excluded.first_name, last_name = excluded.last_name, deleted = excluded.deleted,
		updated_at = excluded.updated_at`,
		o.UserID, o.Email, o.FirstName, o.LastName, o.Deleted, o.UpdatedAt)
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
