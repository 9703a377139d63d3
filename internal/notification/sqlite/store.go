package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// PutRecipient inserts or replaces a recipient.
func (s *Store) PutRecipient(ctx context.Context, r notification.Recipient) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO recipients (id, email, first_name, last_name, time_zone, deleted, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name,
			last_name = excluded.last_name, time_zone = excluded.time_zone, deleted = excluded.deleted,
			updated_at = excluded.updated_at`,
		r.ID, r.Email, r.FirstName, r.LastName, r.TimeZone, r.Deleted, dbTime(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put recipient %s: %w", r.ID, err)
	}
	return nil
}

// Recipient returns the recipient id.
func (s *Store) Recipient(ctx context.Context, id string) (notification.Recipient, error) {
	var r notification.Recipient
	err := s.q(ctx).QueryRowContext(ctx, `SELECT id, email, first_name, last_name, time_zone, deleted, updated_at
		FROM recipients WHERE id = ?`, id).
		Scan(&r.ID, &r.Email, &r.FirstName, &r.LastName, &r.TimeZone, &r.Deleted, timeCol{&r.UpdatedAt})
	return r, interpretError(err)
}

// PutBusiness inserts or replaces a business.
func (s *Store) PutBusiness(ctx context.Context, b notification.Business) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO businesses (id, name, time_zone, owner_id, reminder_offsets)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone,
			owner_id = excluded.owner_id, reminder_offsets = excluded.reminder_offsets`,
		b.ID, b.Name, b.TimeZone, b.OwnerID, joinDurations(b.ReminderOffsets))
	if err != nil {
		return fmt.Errorf("put business %s: %w", b.ID, err)
	}
	return nil
}

// Business returns the business id.
func (s *Store) Business(ctx context.Context, id string) (notification.Business, error) {
	var b notification.Business
	var offsets string
	err := s.q(ctx).QueryRowContext(ctx, `SELECT id, name, time_zone, owner_id, reminder_offsets
		FROM businesses WHERE id = ?`, id).Scan(&b.ID, &b.Name, &b.TimeZone, &b.OwnerID, &offsets)
	b.ReminderOffsets = splitDurations(offsets)
	return b, interpretError(err)
}

// PutOffering inserts or replaces a service.
func (s *Store) PutOffering(ctx context.Context, o notification.Offering) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO services (id, business_id, name, duration_minutes, deleted)
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
	err := s.q(ctx).QueryRowContext(ctx, `SELECT id, business_id, name, duration_minutes, deleted
		FROM services WHERE id = ?`, id).Scan(&o.ID, &o.BusinessID, &o.Name, &o.DurationMinutes, &o.Deleted)
	return o, interpretError(err)
}

// PutBooking inserts or replaces a booking.
func (s *Store) PutBooking(ctx context.Context, b notification.Booking) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO bookings (id, business_id, service_id, client_id, staff_id,
			start_at, end_at, status, sequence, guest_name, guest_email, guest_time_zone, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET business_id = excluded.business_id, service_id = excluded.service_id,
			client_id = excluded.client_id, staff_id = excluded.staff_id, start_at = excluded.start_at,
			end_at = excluded.end_at, status = excluded.status, sequence = excluded.sequence,
			guest_name = excluded.guest_name, guest_email = excluded.guest_email,
			guest_time_zone = excluded.guest_time_zone, updated_at = excluded.updated_at`,
		b.ID, b.BusinessID, b.ServiceID, b.ClientID, b.StaffID, dbTime(b.Start), dbTime(b.End), b.Status,
		b.Sequence, b.GuestName, b.GuestEmail, b.GuestTimeZone, dbTime(b.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put booking %s: %w", b.ID, err)
	}
	return nil
}

// Booking returns the booking id.
func (s *Store) Booking(ctx context.Context, id string) (notification.Booking, error) {
	var b notification.Booking
	err := s.q(ctx).QueryRowContext(ctx, `SELECT id, business_id, service_id, client_id, staff_id, start_at, end_at,
			status, sequence, guest_name, guest_email, guest_time_zone, updated_at
		FROM bookings WHERE id = ?`, id).
		Scan(&b.ID, &b.BusinessID, &b.ServiceID, &b.ClientID, &b.StaffID, timeCol{&b.Start}, timeCol{&b.End},
			&b.Status, &b.Sequence, &b.GuestName, &b.GuestEmail, &b.GuestTimeZone, timeCol{&b.UpdatedAt})
	return b, interpretError(err)
}

const deliveryColumns = `id, source_id, channel, recipient, recipient_id, kind, subject, status, attempts,
	provider_message_id, last_error, created_at, updated_at`

func scanDelivery(row scanner) (notification.Delivery, error) {
	var d notification.Delivery
	err := row.Scan(&d.ID, &d.Key.SourceID, &d.Key.Channel, &d.Key.Recipient, &d.RecipientID, &d.Kind, &d.Subject,
		&d.Status, &d.Attempts, &d.ProviderMessageID, &d.LastError, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt})
	return d, interpretError(err)
}

// Delivery returns the ledger row of key.
func (s *Store) Delivery(ctx context.Context, key notification.DeliveryKey) (notification.Delivery, error) {
	return scanDelivery(s.q(ctx).QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE source_id = ? AND channel = ? AND recipient = ?`, key.SourceID, key.Channel, key.Recipient))
}

// PutDelivery inserts d or updates the row of its key.
func (s *Store) PutDelivery(ctx context.Context, d notification.Delivery) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO deliveries (`+deliveryColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source_id, channel, recipient) DO UPDATE SET recipient_id = excluded.recipient_id,
			kind = excluded.kind, subject = excluded.subject, status = excluded.status,
			attempts = excluded.attempts, provider_message_id = excluded.provider_message_id,
			last_error = excluded.last_error, updated_at = excluded.updated_at`,
		d.ID, d.Key.SourceID, d.Key.Channel, d.Key.Recipient, d.RecipientID, d.Kind, d.Subject, d.Status,
		d.Attempts, d.ProviderMessageID, d.LastError, dbTime(d.CreatedAt), dbTime(d.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put delivery %s: %w", d.ID, err)
	}
	return nil
}

// Deliveries lists the ledger of recipientID ("" for all), oldest first.
func (s *Store) Deliveries(ctx context.Context, recipientID string) ([]notification.Delivery, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE ? = '' OR recipient_id = ? ORDER BY created_at, id`, recipientID, recipientID)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return sqldb.Collect(rows, scanDelivery)
}

const reminderColumns = `id, booking_id, offset_seconds, due_at, status, attempts, last_error`

func scanReminder(row scanner) (notification.Reminder, error) {
	var r notification.Reminder
	var offset int64
	err := row.Scan(&r.ID, &r.BookingID, &offset, timeCol{&r.DueAt}, &r.Status, &r.Attempts, &r.LastError)
	r.Offset = time.Duration(offset) * time.Second
	return r, interpretError(err)
}

// ReplaceReminders drops the booking's scheduled reminders and adds rs.
func (s *Store) ReplaceReminders(ctx context.Context, bookingID string, rs []notification.Reminder) error {
	return s.Atomically(ctx, func(ctx context.Context) error {
		if _, err := s.q(ctx).ExecContext(ctx, `DELETE FROM reminders WHERE booking_id = ? AND status = ?`,
			bookingID, notification.ReminderScheduled); err != nil {
			return fmt.Errorf("drop reminders of %s: %w", bookingID, err)
		}
		for _, r := range rs {
			_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO reminders (`+reminderColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				r.ID, r.BookingID, int64(r.Offset/time.Second), dbTime(r.DueAt), r.Status, r.Attempts, r.LastError)
			if err != nil {
				return fmt.Errorf("add reminder %s: %w", r.ID, err)
			}
		}
		return nil
	})
}

// Reminders lists a booking's reminders ("" for all) by due time.
func (s *Store) Reminders(ctx context.Context, bookingID string) ([]notification.Reminder, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+reminderColumns+` FROM reminders
		WHERE ? = '' OR booking_id = ? ORDER BY due_at, id`, bookingID, bookingID)
	if err != nil {
		return nil, fmt.Errorf("list reminders: %w", err)
	}
	return sqldb.Collect(rows, scanReminder)
}

// ClaimDueReminder returns the earliest scheduled reminder due at now.
// SQLite's transaction holds the database's write lock from its start
// (BEGIN IMMEDIATE), which is what SKIP LOCKED gives on PostgreSQL.
func (s *Store) ClaimDueReminder(ctx context.Context, now time.Time) (notification.Reminder, error) {
	return scanReminder(s.q(ctx).QueryRowContext(ctx, `SELECT `+reminderColumns+` FROM reminders
		WHERE status = ? AND due_at <= ? ORDER BY due_at, id LIMIT 1`, notification.ReminderScheduled, dbTime(now)))
}

// UpdateReminder writes r's status, due time, attempts and last error.
func (s *Store) UpdateReminder(ctx context.Context, r notification.Reminder) error {
	_, err := s.q(ctx).ExecContext(ctx, `UPDATE reminders SET due_at = ?, status = ?, attempts = ?, last_error = ?
		WHERE id = ?`, dbTime(r.DueAt), r.Status, r.Attempts, r.LastError, r.ID)
	if err != nil {
		return fmt.Errorf("update reminder %s: %w", r.ID, err)
	}
	return nil
}

// CreateWebhook inserts w.
func (s *Store) CreateWebhook(ctx context.Context, w notification.Webhook) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO webhooks (id, business_id, url, event_types, secret, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, w.ID, w.BusinessID, w.URL, strings.Join(w.EventTypes, ","), w.Secret, dbTime(w.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert webhook %s: %w", w.ID, err)
	}
	return nil
}

func scanWebhook(row scanner) (notification.Webhook, error) {
	var w notification.Webhook
	var types string
	err := row.Scan(&w.ID, &w.BusinessID, &w.URL, &types, &w.Secret, timeCol{&w.CreatedAt})
	w.EventTypes = splitList(types)
	return w, interpretError(err)
}

// Webhook returns a business's webhook id.
func (s *Store) Webhook(ctx context.Context, businessID, id string) (notification.Webhook, error) {
	return scanWebhook(s.q(ctx).QueryRowContext(ctx, `SELECT id, business_id, url, event_types, secret, created_at
		FROM webhooks WHERE business_id = ? AND id = ?`, businessID, id))
}

// Webhooks lists a business's webhooks, oldest first.
func (s *Store) Webhooks(ctx context.Context, businessID string) ([]notification.Webhook, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT id, business_id, url, event_types, secret, created_at
		FROM webhooks WHERE business_id = ? ORDER BY created_at, id`, businessID)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return sqldb.Collect(rows, scanWebhook)
}

// DeleteWebhook removes a webhook; its deliveries and attempts go with it
// (ON DELETE CASCADE).
func (s *Store) DeleteWebhook(ctx context.Context, businessID, id string) error {
	res, err := s.q(ctx).ExecContext(ctx, `DELETE FROM webhooks WHERE business_id = ? AND id = ?`, businessID, id)
	if err != nil {
		return fmt.Errorf("delete webhook %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return notification.ErrNotFound
	}
	return nil
}

const webhookDeliveryColumns = `id, webhook_id, business_id, event_id, event_type, body, status, attempts,
	next_attempt_at, last_status_code, last_error, created_at, updated_at`

func scanWebhookDelivery(row scanner) (notification.WebhookDelivery, error) {
	var d notification.WebhookDelivery
	err := row.Scan(&d.ID, &d.WebhookID, &d.BusinessID, &d.EventID, &d.EventType, &d.Body, &d.Status, &d.Attempts,
		timeCol{&d.NextAttemptAt}, &d.LastStatusCode, &d.LastError, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt})
	return d, interpretError(err)
}

// AddWebhookDelivery inserts d unless its webhook has the event already.
func (s *Store) AddWebhookDelivery(ctx context.Context, d notification.WebhookDelivery) (bool, error) {
	res, err := s.q(ctx).ExecContext(ctx, `INSERT INTO webhook_deliveries (`+webhookDeliveryColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (webhook_id, event_id) DO NOTHING`,
		d.ID, d.WebhookID, d.BusinessID, d.EventID, d.EventType, d.Body, d.Status, d.Attempts,
		dbTime(d.NextAttemptAt), d.LastStatusCode, d.LastError, dbTime(d.CreatedAt), dbTime(d.UpdatedAt))
	if err != nil {
		return false, fmt.Errorf("add webhook delivery %s: %w", d.ID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// WebhookDelivery returns a webhook's delivery id with its attempts.
func (s *Store) WebhookDelivery(ctx context.Context, webhookID, id string) (notification.WebhookDelivery, error) {
	d, err := scanWebhookDelivery(s.q(ctx).QueryRowContext(ctx, `SELECT `+webhookDeliveryColumns+`
		FROM webhook_deliveries WHERE webhook_id = ? AND id = ?`, webhookID, id))
	if err != nil {
		return d, err
	}
	d.History, err = s.attempts(ctx, d.ID)
	return d, err
}

// WebhookDeliveries lists a webhook's deliveries, newest first, with
// their attempts.
func (s *Store) WebhookDeliveries(ctx context.Context, webhookID string) ([]notification.WebhookDelivery, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = ? ORDER BY created_at DESC, id DESC`, webhookID)
	if err != nil {
		return nil, fmt.Errorf("list webhook deliveries: %w", err)
	}
	ds, err := sqldb.Collect(rows, scanWebhookDelivery)
	if err != nil {
		return nil, err
	}
	for i := range ds {
		if ds[i].History, err = s.attempts(ctx, ds[i].ID); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

func (s *Store) attempts(ctx context.Context, deliveryID string) ([]notification.WebhookAttempt, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT delivery_id, attempt, at, status_code, error, duration_us
		FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt`, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("list webhook attempts: %w", err)
	}
	return sqldb.Collect(rows, func(row scanner) (notification.WebhookAttempt, error) {
		var a notification.WebhookAttempt
		var us int64
		err := row.Scan(&a.DeliveryID, &a.Attempt, timeCol{&a.At}, &a.StatusCode, &a.Error, &us)
		a.Duration = time.Duration(us) * time.Microsecond
		return a, err
	})
}

// ClaimDueWebhookDelivery returns the earliest pending delivery due at now
// (the transaction holds SQLite's write lock; see ClaimDueReminder).
func (s *Store) ClaimDueWebhookDelivery(ctx context.Context, now time.Time) (notification.WebhookDelivery, error) {
	return scanWebhookDelivery(s.q(ctx).QueryRowContext(ctx, `SELECT `+webhookDeliveryColumns+`
		FROM webhook_deliveries WHERE status = ? AND next_attempt_at <= ?
		ORDER BY next_attempt_at, id LIMIT 1`, notification.WebhookPending, dbTime(now)))
}

// UpdateWebhookDelivery writes d's state.
func (s *Store) UpdateWebhookDelivery(ctx context.Context, d notification.WebhookDelivery) error {
	_, err := s.q(ctx).ExecContext(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?,
		last_status_code = ?, last_error = ?, updated_at = ? WHERE id = ?`,
		d.Status, d.Attempts, dbTime(d.NextAttemptAt), d.LastStatusCode, d.LastError, dbTime(d.UpdatedAt), d.ID)
	if err != nil {
		return fmt.Errorf("update webhook delivery %s: %w", d.ID, err)
	}
	return nil
}

// AddWebhookAttempt appends an attempt to its delivery's history,
// numbering it after the last.
func (s *Store) AddWebhookAttempt(ctx context.Context, a notification.WebhookAttempt) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_us)
		VALUES (?, (SELECT COALESCE(MAX(attempt), 0) + 1 FROM webhook_attempts WHERE delivery_id = ?), ?, ?, ?, ?)`,
		a.DeliveryID, a.DeliveryID, dbTime(a.At), a.StatusCode, a.Error, a.Duration.Microseconds())
	if err != nil {
		return fmt.Errorf("add webhook attempt of %s: %w", a.DeliveryID, err)
	}
	return nil
}
