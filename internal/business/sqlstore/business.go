package sqlstore

import (
	"context"
	"fmt"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const businessColumns = `id, owner_id, name, subdomain, time_zone, min_notice_minutes, horizon_days,
	slot_interval_minutes, created_at, updated_at`

func scanBusiness(row sqldb.Scanner) (business.Business, error) {
	var b business.Business
	err := row.Scan(&b.ID, &b.OwnerID, &b.Name, &b.Subdomain, &b.TimeZone, &b.Rules.MinNoticeMinutes,
		&b.Rules.HorizonDays, &b.Rules.SlotIntervalMinutes, sqldb.Instant(&b.CreatedAt), sqldb.Instant(&b.UpdatedAt))
	if err != nil {
		return b, interpretError(err)
	}
	return b, nil
}

// CreateBusiness inserts b.
func (s *Store) CreateBusiness(ctx context.Context, b business.Business) error {
	_, err := s.db.Exec(ctx, `INSERT INTO businesses (`+businessColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.ID, b.OwnerID, b.Name, b.Subdomain, b.TimeZone, b.Rules.MinNoticeMinutes, b.Rules.HorizonDays,
		b.Rules.SlotIntervalMinutes, s.db.Time(b.CreatedAt), s.db.Time(b.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert business %s: %w", b.ID, interpretError(err))
	}
	return nil
}

// Business returns the business id.
func (s *Store) Business(ctx context.Context, id string) (business.Business, error) {
	return scanBusiness(s.db.QueryRow(ctx, `SELECT `+businessColumns+` FROM businesses WHERE id = ?`, id))
}

// BusinessBySubdomain returns the business at subdomain.
func (s *Store) BusinessBySubdomain(ctx context.Context, subdomain string) (business.Business, error) {
	return scanBusiness(s.db.QueryRow(ctx, `SELECT `+businessColumns+` FROM businesses WHERE subdomain = ?`, subdomain))
}

// Businesses lists the businesses of ownerID ("" for all), oldest first.
func (s *Store) Businesses(ctx context.Context, ownerID string) ([]business.Business, error) {
	rows, err := s.db.Query(ctx, `SELECT `+businessColumns+` FROM businesses
		WHERE ? = '' OR owner_id = ? ORDER BY created_at, id`, ownerID, ownerID)
	if err != nil {
		return nil, fmt.Errorf("list businesses: %w", err)
	}
	return sqldb.Collect(rows, scanBusiness)
}

// UpdateBusiness applies fn to the business and writes it, in one
// transaction, the row locked in between (FOR UPDATE on PostgreSQL;
// SQLite's write lock is taken when the transaction begins).
func (s *Store) UpdateBusiness(ctx context.Context, id string, fn func(*business.Business) error) (business.Business, error) {
	var out business.Business
	err := s.Atomically(ctx, func(ctx context.Context) error {
		b, err := scanBusiness(s.db.QueryRow(ctx, `SELECT `+businessColumns+` FROM businesses
			WHERE id = ?`+s.db.ForUpdate(), id))
		if err != nil {
			return err
		}
		if err := fn(&b); err != nil {
			return err
		}
		_, err = s.db.Exec(ctx, `UPDATE businesses SET name = ?, subdomain = ?, time_zone = ?,
			min_notice_minutes = ?, horizon_days = ?, slot_interval_minutes = ?, updated_at = ? WHERE id = ?`,
			b.Name, b.Subdomain, b.TimeZone, b.Rules.MinNoticeMinutes, b.Rules.HorizonDays,
			b.Rules.SlotIntervalMinutes, s.db.Time(b.UpdatedAt), b.ID)
		if err != nil {
			return fmt.Errorf("update business %s: %w", id, interpretError(err))
		}
		out = b
		return nil
	})
	return out, err
}
