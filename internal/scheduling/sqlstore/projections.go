package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const businessColumns = `id, owner_id, name, subdomain, time_zone, min_notice_minutes, horizon_days, slot_interval_minutes`

func scanBusiness(row scanner) (scheduling.Business, error) {
	var b scheduling.Business
	err := row.Scan(&b.ID, &b.OwnerID, &b.Name, &b.Subdomain, &b.TimeZone, &b.Rules.MinNoticeMinutes,
		&b.Rules.HorizonDays, &b.Rules.SlotIntervalMinutes)
	return b, interpretError(err)
}

// PutBusiness inserts or replaces a business.
func (s *Store) PutBusiness(ctx context.Context, b scheduling.Business) error {
	_, err := s.db.Exec(ctx, `INSERT INTO sched_businesses (`+businessColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET owner_id = excluded.owner_id, name = excluded.name,
			subdomain = excluded.subdomain, time_zone = excluded.time_zone, min_notice_minutes = excluded.min_notice_minutes,
			horizon_days = excluded.horizon_days, slot_interval_minutes = excluded.slot_interval_minutes`,
		b.ID, b.OwnerID, b.Name, b.Subdomain, b.TimeZone, b.Rules.MinNoticeMinutes, b.Rules.HorizonDays, b.Rules.SlotIntervalMinutes)
	if err != nil {
		return fmt.Errorf("put business %s: %w", b.ID, err)
	}
	return nil
}

// Business returns a business.
func (s *Store) Business(ctx context.Context, id string) (scheduling.Business, error) {
	return scanBusiness(s.db.QueryRow(ctx, `SELECT `+businessColumns+` FROM sched_businesses WHERE id = ?`, id))
}

// BusinessBySubdomain returns the business at a subdomain (the first by
// id, should a stale projection hold two).
func (s *Store) BusinessBySubdomain(ctx context.Context, subdomain string) (scheduling.Business, error) {
	return scanBusiness(s.db.QueryRow(ctx, `SELECT `+businessColumns+` FROM sched_businesses
		WHERE subdomain = ? ORDER BY id LIMIT 1`, subdomain))
}

const offeringColumns = `id, business_id, name, duration_minutes, price_minor, currency, buffer_before, buffer_after,
	requires_payment, min_notice_minutes, horizon_days, slot_interval_minutes`

func scanOffering(row scanner) (scheduling.Offering, error) {
	var o scheduling.Offering
	var notice, horizon, interval sql.NullInt64
	err := row.Scan(&o.ID, &o.BusinessID, &o.Name, &o.DurationMinutes, &o.PriceMinor, &o.Currency, &o.BufferBefore,
		&o.BufferAfter, &o.RequiresPayment, &notice, &horizon, &interval)
	o.Rules = scheduling.RuleOverrides{MinNoticeMinutes: intPtr(notice), HorizonDays: intPtr(horizon), SlotIntervalMinutes: intPtr(interval)}
	return o, interpretError(err)
}

// PutOffering inserts or replaces a service.
func (s *Store) PutOffering(ctx context.Context, o scheduling.Offering) error {
	_, err := s.db.Exec(ctx, `INSERT INTO sched_services (`+offeringColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET business_id = excluded.business_id, name = excluded.name,
			duration_minutes = excluded.duration_minutes, price_minor = excluded.price_minor, currency = excluded.currency,
			buffer_before = excluded.buffer_before, buffer_after = excluded.buffer_after,
			requires_payment = excluded.requires_payment, min_notice_minutes = excluded.min_notice_minutes,
			horizon_days = excluded.horizon_days, slot_interval_minutes = excluded.slot_interval_minutes`,
		o.ID, o.BusinessID, o.Name, o.DurationMinutes, o.PriceMinor, o.Currency, o.BufferBefore, o.BufferAfter,
		o.RequiresPayment, nullInt(o.Rules.MinNoticeMinutes), nullInt(o.Rules.HorizonDays), nullInt(o.Rules.SlotIntervalMinutes))
	if err != nil {
		return fmt.Errorf("put service %s: %w", o.ID, err)
	}
	return nil
}

// Offering returns a service.
func (s *Store) Offering(ctx context.Context, id string) (scheduling.Offering, error) {
	return scanOffering(s.db.QueryRow(ctx, `SELECT `+offeringColumns+` FROM sched_services WHERE id = ?`, id))
}

// DeleteOffering deletes a service.
func (s *Store) DeleteOffering(ctx context.Context, id string) error {
	return affected(s.db.Exec(ctx, `DELETE FROM sched_services WHERE id = ?`, id))
}

const staffColumns = `id, business_id, name, service_ids, implicit`

func scanStaff(row scanner) (scheduling.Staff, error) {
	var st scheduling.Staff
	var ids []byte
	if err := row.Scan(&st.ID, &st.BusinessID, &st.Name, &ids, &st.Implicit); err != nil {
		return st, interpretError(err)
	}
	if err := json.Unmarshal(ids, &st.ServiceIDs); err != nil {
		return st, fmt.Errorf("staff %s service_ids: %w", st.ID, err)
	}
	return st, nil
}

// PutStaff inserts or replaces a staff member.
func (s *Store) PutStaff(ctx context.Context, st scheduling.Staff) error {
	ids, err := json.Marshal(st.ServiceIDs)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO sched_staff (`+staffColumns+`) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET business_id = excluded.business_id, name = excluded.name,
			service_ids = excluded.service_ids, implicit = excluded.implicit`,
		st.ID, st.BusinessID, st.Name, string(ids), st.Implicit)
	if err != nil {
		return fmt.Errorf("put staff %s: %w", st.ID, err)
	}
	return nil
}

// StaffMember returns a staff member.
func (s *Store) StaffMember(ctx context.Context, id string) (scheduling.Staff, error) {
	return scanStaff(s.db.QueryRow(ctx, `SELECT `+staffColumns+` FROM sched_staff WHERE id = ?`, id))
}

// Staff lists a business's staff by id.
func (s *Store) Staff(ctx context.Context, businessID string) ([]scheduling.Staff, error) {
	rows, err := s.db.Query(ctx, `SELECT `+staffColumns+` FROM sched_staff WHERE business_id = ? ORDER BY id`, businessID)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return sqldb.Collect(rows, scanStaff)
}

// DeleteStaff deletes a staff member.
func (s *Store) DeleteStaff(ctx context.Context, id string) error {
	return affected(s.db.Exec(ctx, `DELETE FROM sched_staff WHERE id = ?`, id))
}

// PutAvailability inserts or replaces a staff member's hours.
func (s *Store) PutAvailability(ctx context.Context, a scheduling.Availability) error {
	weekly, err := json.Marshal(a.Weekly)
	if err != nil {
		return err
	}
	overrides, err := json.Marshal(a.Overrides)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO sched_availability (staff_id, business_id, time_zone, weekly, overrides)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (staff_id) DO UPDATE SET business_id = excluded.business_id, time_zone = excluded.time_zone,
			weekly = excluded.weekly, overrides = excluded.overrides`,
		a.StaffID, a.BusinessID, a.TimeZone, string(weekly), string(overrides))
	if err != nil {
		return fmt.Errorf("put availability %s: %w", a.StaffID, err)
	}
	return nil
}

// Availability returns the hours of the staff members that have any.
func (s *Store) Availability(ctx context.Context, staffIDs []string) (map[string]scheduling.Availability, error) {
	if len(staffIDs) == 0 {
		return map[string]scheduling.Availability{}, nil
	}
	list, args := in(staffIDs)
	rows, err := s.db.Query(ctx, `SELECT staff_id, business_id, time_zone, weekly, overrides
		FROM sched_availability WHERE staff_id IN `+list, args...)
	if err != nil {
		return nil, fmt.Errorf("load availability: %w", err)
	}
	found, err := sqldb.Collect(rows, scanAvailability)
	if err != nil {
		return nil, err
	}
	out := make(map[string]scheduling.Availability, len(found))
	for _, a := range found {
		out[a.StaffID] = a
	}
	return out, nil
}

func scanAvailability(row scanner) (scheduling.Availability, error) {
	var a scheduling.Availability
	var weekly, overrides []byte
	if err := row.Scan(&a.StaffID, &a.BusinessID, &a.TimeZone, &weekly, &overrides); err != nil {
		return a, err
	}
	if err := json.Unmarshal(weekly, &a.Weekly); err != nil {
		return a, fmt.Errorf("availability %s weekly: %w", a.StaffID, err)
	}
	if err := json.Unmarshal(overrides, &a.Overrides); err != nil {
		return a, fmt.Errorf("availability %s overrides: %w", a.StaffID, err)
	}
	return a, nil
}

// ResetProjections deletes every projection row.
func (s *Store) ResetProjections(ctx context.Context) error {
	for _, t := range []string{"sched_businesses", "sched_services", "sched_staff", "sched_availability"} {
		if _, err := s.db.Exec(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("reset %s: %w", t, err)
		}
	}
	return nil
}

// settingQuery reads a business, one of its services and its staff with
// their hours: one row per staff member (one row without any), the
// business and service columns repeated. %s selects the business.
const settingQuery = `WITH b AS (SELECT ` + businessColumns + ` FROM sched_businesses WHERE %s)
SELECT b.id, b.owner_id, b.name, b.subdomain, b.time_zone, b.min_notice_minutes, b.horizon_days, b.slot_interval_minutes,
	COALESCE(s.id, ''), COALESCE(s.name, ''), COALESCE(s.duration_minutes, 0), COALESCE(s.price_minor, 0),
	COALESCE(s.currency, ''), COALESCE(s.buffer_before, 0), COALESCE(s.buffer_after, 0),
	COALESCE(s.requires_payment, false), s.min_notice_minutes, s.horizon_days, s.slot_interval_minutes,
	COALESCE(st.id, ''), COALESCE(st.name, ''), COALESCE(st.service_ids, '[]'), COALESCE(st.implicit, false),
	a.staff_id IS NOT NULL, COALESCE(a.business_id, ''), COALESCE(a.time_zone, ''), COALESCE(a.weekly, '[]'),
	COALESCE(a.overrides, '[]')
FROM b
LEFT JOIN sched_services s ON s.id = ? AND s.business_id = b.id
LEFT JOIN sched_staff st ON st.business_id = b.id AND (? = '' OR st.id = ?)
LEFT JOIN sched_availability a ON a.staff_id = st.id
ORDER BY st.id`

var (
	settingByID        = fmt.Sprintf(settingQuery, `id = ?`)
	settingBySubdomain = fmt.Sprintf(settingQuery, `subdomain = ? ORDER BY id LIMIT 1`)
)

// Setting reads a business, one of its services and its staff with their
// hours in one query, prepared once: the slot search and every booking
// start with it.
func (s *Store) Setting(ctx context.Context, q scheduling.SettingQuery) (scheduling.Setting, error) {
	query, key := settingByID, q.BusinessID
	if q.BusinessID == "" {
		query, key = settingBySubdomain, q.Subdomain
	}
	rows, err := s.db.QueryPrepared(ctx, query, key, q.ServiceID, q.StaffID, q.StaffID)
	if err != nil {
		return scheduling.Setting{}, fmt.Errorf("load setting: %w", err)
	}
	defer rows.Close()
	var out scheduling.Setting
	found := false
	for rows.Next() {
		if err := scanSettingRow(rows, &out); err != nil {
			return scheduling.Setting{}, fmt.Errorf("load setting: %w", err)
		}
		found = true
	}
	if err := rows.Err(); err != nil {
		return scheduling.Setting{}, fmt.Errorf("load setting: %w", err)
	}
	if !found {
		return scheduling.Setting{}, scheduling.ErrNotFound
	}
	return out, nil
}

// scanSettingRow adds one row of settingQuery to out.
func scanSettingRow(row scanner, out *scheduling.Setting) error {
	var (
		b                             scheduling.Business
		o                             scheduling.Offering
		st                            scheduling.Staff
		a                             scheduling.Availability
		hasHours                      bool
		notice, horizon, interval     sql.NullInt64
		serviceIDs, weekly, overrides []byte
	)
	err := row.Scan(&b.ID, &b.OwnerID, &b.Name, &b.Subdomain, &b.TimeZone, &b.Rules.MinNoticeMinutes, &b.Rules.HorizonDays,
		&b.Rules.SlotIntervalMinutes,
		&o.ID, &o.Name, &o.DurationMinutes, &o.PriceMinor, &o.Currency, &o.BufferBefore, &o.BufferAfter,
		&o.RequiresPayment, &notice, &horizon, &interval,
		&st.ID, &st.Name, &serviceIDs, &st.Implicit,
		&hasHours, &a.BusinessID, &a.TimeZone, &weekly, &overrides)
	if err != nil {
		return err
	}
	out.Business = b
	if o.ID != "" && out.Offering.ID == "" {
		o.BusinessID = b.ID
		o.Rules = scheduling.RuleOverrides{MinNoticeMinutes: intPtr(notice), HorizonDays: intPtr(horizon), SlotIntervalMinutes: intPtr(interval)}
		out.Offering = o
	}
	if st.ID == "" {
		return nil
	}
	st.BusinessID = b.ID
	if err := json.Unmarshal(serviceIDs, &st.ServiceIDs); err != nil {
		return fmt.Errorf("staff %s service_ids: %w", st.ID, err)
	}
	out.Staff = append(out.Staff, st)
	if !hasHours {
		return nil
	}
	a.StaffID = st.ID
	if err := json.Unmarshal(weekly, &a.Weekly); err != nil {
		return fmt.Errorf("availability %s weekly: %w", a.StaffID, err)
	}
	if err := json.Unmarshal(overrides, &a.Overrides); err != nil {
		return fmt.Errorf("availability %s overrides: %w", a.StaffID, err)
	}
	if out.Hours == nil {
		out.Hours = map[string]scheduling.Availability{}
	}
	out.Hours[a.StaffID] = a
	return nil
}
