package sqlstore

import (
	"context"
	"fmt"

	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// PutRecipient inserts or replaces a recipient.
func (s *Store) PutRecipient(ctx context.Context, r notification.Recipient) error {
	_, err := s.db.Exec(ctx, `INSERT INTO recipients (id, email, first_name, last_name, time_zone, deleted, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name,
			last_name = excluded.last_name, time_zone = excluded.time_zone, deleted = excluded.deleted,
			updated_at = excluded.updated_at`,
		r.ID, r.Email, r.FirstName, r.LastName, r.TimeZone, r.Deleted, s.db.Time(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put recipient %s: %w", r.ID, err)
	}
	return nil
}

// Recipient returns the recipient id.
func (s *Store) Recipient(ctx context.Context, id string) (notification.Recipient, error) {
	var r notification.Recipient
	err := s.db.QueryRow(ctx, `SELECT id, email, first_name, last_name, time_zone, deleted, updated_at
		FROM recipients WHERE id = ?`, id).
		Scan(&r.ID, &r.Email, &r.FirstName, &r.LastName, &r.TimeZone, &r.Deleted, sqldb.Instant(&r.UpdatedAt))
	return r, interpretError(err)
}

// PutBusiness inserts or replaces a business.
func (s *Store) PutBusiness(ctx context.Context, b notification.Business) error {
	_, err := s.db.Exec(ctx, `INSERT INTO businesses (id, name, time_zone, owner_id, reminder_offsets, subdomain, address)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone,
			owner_id = excluded.owner_id, reminder_offsets = excluded.reminder_offsets,
			subdomain = excluded.subdomain, address = excluded.address`,
		b.ID, b.Name, b.TimeZone, b.OwnerID, joinDurations(b.ReminderOffsets), b.Subdomain, b.Address)
	if err != nil {
		return fmt.Errorf("put business %s: %w", b.ID, err)
	}
	return nil
}

// Business returns the business id.
func (s *Store) Business(ctx context.Context, id string) (notification.Business, error) {
	var b notification.Business
	var offsets string
	err := s.db.QueryRow(ctx, `SELECT id, name, time_zone, owner_id, reminder_offsets, subdomain, address
		FROM businesses WHERE id = ?`, id).Scan(&b.ID, &b.Name, &b.TimeZone, &b.OwnerID, &offsets, &b.Subdomain, &b.Address)
	b.ReminderOffsets = splitDurations(offsets)
	return b, interpretError(err)
}

// PutOffering inserts or replaces a service.
func (s *Store) PutOffering(ctx context.Context, o notification.Offering) error {
	_, err := s.db.Exec(ctx, `INSERT INTO services (id, business_id, name, duration_minutes, deleted)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET business_id = excluded.business_id, name = excluded.name,
			duration_minutes = excluded.duration_minutes, deleted = excluded.deleted`,
		o.ID, o.BusinessID, o.Name, o.DurationMinutes, o.Deleted)
	if err != nil {
		return fmt.Errorf("put service %s: %w", o.ID, err)
	}
	return nil
}

// Offering returns the service id.
func (s *Store) Offering(ctx context.Context, id string) (notification.Offering, error) {
	var o notification.Offering
	err := s.db.QueryRow(ctx, `SELECT id, business_id, name, duration_minutes, deleted
		FROM services WHERE id = ?`, id).Scan(&o.ID, &o.BusinessID, &o.Name, &o.DurationMinutes, &o.Deleted)
	return o, interpretError(err)
}

const bookingColumns = `id, business_id, service_id, client_id, staff_id, start_at, end_at, status, sequence,
	guest_name, guest_email, guest_time_zone, updated_at, invited, amount, currency, requires_payment, hold_until, note`

// PutBooking inserts or replaces a booking.
func (s *Store) PutBooking(ctx context.Context, b notification.Booking) error {
	_, err := s.db.Exec(ctx, `INSERT INTO bookings (`+bookingColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET business_id = excluded.business_id, service_id = excluded.service_id,
			client_id = excluded.client_id, staff_id = excluded.staff_id, start_at = excluded.start_at,
			end_at = excluded.end_at, status = excluded.status, sequence = excluded.sequence,
			guest_name = excluded.guest_name, guest_email = excluded.guest_email,
			guest_time_zone = excluded.guest_time_zone, updated_at = excluded.updated_at,
			invited = excluded.invited, amount = excluded.amount, currency = excluded.currency,
			requires_payment = excluded.requires_payment, hold_until = excluded.hold_until, note = excluded.note`,
		b.ID, b.BusinessID, b.ServiceID, b.ClientID, b.StaffID, s.db.Time(b.Start), s.db.Time(b.End), b.Status,
		b.Sequence, b.GuestName, b.GuestEmail, b.GuestTimeZone, s.db.Time(b.UpdatedAt),
		b.Invited, b.Amount, b.Currency, b.RequiresPayment, s.db.NullTime(b.HoldUntil), b.Note)
	if err != nil {
		return fmt.Errorf("put booking %s: %w", b.ID, err)
	}
	return nil
}

// Booking returns the booking id.
func (s *Store) Booking(ctx context.Context, id string) (notification.Booking, error) {
	var b notification.Booking
	err := s.db.QueryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = ?`, id).
		Scan(&b.ID, &b.BusinessID, &b.ServiceID, &b.ClientID, &b.StaffID, sqldb.Instant(&b.Start), sqldb.Instant(&b.End),
			&b.Status, &b.Sequence, &b.GuestName, &b.GuestEmail, &b.GuestTimeZone, sqldb.Instant(&b.UpdatedAt),
			&b.Invited, &b.Amount, &b.Currency, &b.RequiresPayment, sqldb.Instant(&b.HoldUntil), &b.Note)
	return b, interpretError(err)
}
