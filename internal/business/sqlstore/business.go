package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const businessColumns = `id, owner_id, name, subdomain, time_zone, min_notice_minutes, horizon_days,
	slot_interval_minutes, description, address, embed_origins, created_at, updated_at`

func scanBusiness(row sqldb.Scanner) (business.Business, error) {
	var b business.Business
	var origins string
	err := row.Scan(&b.ID, &b.OwnerID, &b.Name, &b.Subdomain, &b.TimeZone, &b.Rules.MinNoticeMinutes,
		&b.Rules.HorizonDays, &b.Rules.SlotIntervalMinutes, &b.Description, &b.Address, &origins,
		sqldb.Instant(&b.CreatedAt), sqldb.Instant(&b.UpdatedAt))
	if err != nil {
		return b, interpretError(err)
	}
	if err := json.Unmarshal([]byte(origins), &b.EmbedOrigins); err != nil {
		return b, fmt.Errorf("business %s embed_origins: %w", b.ID, err)
	}
	if len(b.EmbedOrigins) == 0 {
		b.EmbedOrigins = nil // the domain's "none"
	}
	return b, nil
}

// CreateBusiness inserts b.
func (s *Store) CreateBusiness(ctx context.Context, b business.Business) error {
	origins, err := jsonText(b.EmbedOrigins)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO businesses (`+businessColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.ID, b.OwnerID, b.Name, b.Subdomain, b.TimeZone, b.Rules.MinNoticeMinutes, b.Rules.HorizonDays,
		b.Rules.SlotIntervalMinutes, b.Description, b.Address, origins, s.db.Time(b.CreatedAt), s.db.Time(b.UpdatedAt))
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
		origins, err := jsonText(b.EmbedOrigins)
		if err != nil {
			return err
		}
		_, err = s.db.Exec(ctx, `UPDATE businesses SET name = ?, subdomain = ?, time_zone = ?,
			min_notice_minutes = ?, horizon_days = ?, slot_interval_minutes = ?, description = ?, address = ?,
			embed_origins = ?, updated_at = ? WHERE id = ?`,
			b.Name, b.Subdomain, b.TimeZone, b.Rules.MinNoticeMinutes, b.Rules.HorizonDays,
			b.Rules.SlotIntervalMinutes, b.Description, b.Address, origins, s.db.Time(b.UpdatedAt), b.ID)
		if err != nil {
			return fmt.Errorf("update business %s: %w", id, interpretError(err))
		}
		out = b
		return nil
	})
	return out, err
}
