package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Offerings are the services table: "service" is the use-case Service here.
const offeringColumns = `id, business_id, name, description, duration_minutes, price_minor, currency,
	buffer_before, buffer_after, requires_payment, min_notice_minutes, horizon_days, slot_interval_minutes,
	created_at, updated_at`

func scanOffering(row sqldb.Scanner) (business.Offering, error) {
	var o business.Offering
	var minNotice, horizon, interval sql.NullInt64
	err := row.Scan(&o.ID, &o.BusinessID, &o.Name, &o.Description, &o.DurationMinutes, &o.PriceMinor, &o.Currency,
		&o.BufferBefore, &o.BufferAfter, &o.RequiresPayment, &minNotice, &horizon, &interval,
		sqldb.Instant(&o.CreatedAt), sqldb.Instant(&o.UpdatedAt))
	if err != nil {
		return o, interpretError(err)
	}
	o.Rules = business.RuleOverrides{MinNoticeMinutes: intPtr(minNotice), HorizonDays: intPtr(horizon), SlotIntervalMinutes: intPtr(interval)}
	return o, nil
}

// offeringArgs are the values of the columns name through
// slot_interval_minutes, which insert and update both write.
func offeringArgs(o business.Offering) []any {
	return []any{o.Name, o.Description, o.DurationMinutes, o.PriceMinor, o.Currency, o.BufferBefore, o.BufferAfter,
		o.RequiresPayment, nullInt(o.Rules.MinNoticeMinutes), nullInt(o.Rules.HorizonDays),
		nullInt(o.Rules.SlotIntervalMinutes)}
}

// CreateOffering inserts o.
func (s *Store) CreateOffering(ctx context.Context, o business.Offering) error {
	args := append([]any{o.ID, o.BusinessID}, offeringArgs(o)...)
	args = append(args, s.db.Time(o.CreatedAt), s.db.Time(o.UpdatedAt))
	_, err := s.db.Exec(ctx, `INSERT INTO services (`+offeringColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return fmt.Errorf("insert service %s: %w", o.ID, interpretError(err))
	}
	return nil
}

// Offering returns a service of a business.
func (s *Store) Offering(ctx context.Context, businessID, id string) (business.Offering, error) {
	return scanOffering(s.db.QueryRow(ctx, `SELECT `+offeringColumns+` FROM services
		WHERE business_id = ? AND id = ?`, businessID, id))
}

// Offerings lists a business's services, oldest first.
func (s *Store) Offerings(ctx context.Context, businessID string) ([]business.Offering, error) {
	rows, err := s.db.Query(ctx, `SELECT `+offeringColumns+` FROM services
		WHERE business_id = ? ORDER BY created_at, id`, businessID)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return sqldb.Collect(rows, scanOffering)
}

// UpdateOffering applies fn to a service and writes it, in one
// transaction, the row locked in between (see UpdateBusiness).
func (s *Store) UpdateOffering(ctx context.Context, businessID, id string, fn func(*business.Offering) error) (business.Offering, error) {
	var out business.Offering
	err := s.Atomically(ctx, func(ctx context.Context) error {
		o, err := scanOffering(s.db.QueryRow(ctx, `SELECT `+offeringColumns+` FROM services
			WHERE business_id = ? AND id = ?`+s.db.ForUpdate(), businessID, id))
		if err != nil {
			return err
		}
		if err := fn(&o); err != nil {
			return err
		}
		args := append(offeringArgs(o), s.db.Time(o.UpdatedAt), businessID, id)
		_, err = s.db.Exec(ctx, `UPDATE services SET name = ?, description = ?, duration_minutes = ?,
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
	return affected(s.db.Exec(ctx, `DELETE FROM services WHERE business_id = ? AND id = ?`, businessID, id))
}
