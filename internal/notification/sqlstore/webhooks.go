package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// CreateWebhook inserts w.
func (s *Store) CreateWebhook(ctx context.Context, w notification.Webhook) error {
	_, err := s.db.Exec(ctx, `INSERT INTO webhooks (id, business_id, url, event_types, secret, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, w.ID, w.BusinessID, w.URL, strings.Join(w.EventTypes, ","), w.Secret, s.db.Time(w.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert webhook %s: %w", w.ID, err)
	}
	return nil
}

func scanWebhook(row sqldb.Scanner) (notification.Webhook, error) {
	var w notification.Webhook
	var types string
	err := row.Scan(&w.ID, &w.BusinessID, &w.URL, &types, &w.Secret, sqldb.Instant(&w.CreatedAt))
	w.EventTypes = splitList(types)
	return w, interpretError(err)
}

// Webhook returns a business's webhook id.
func (s *Store) Webhook(ctx context.Context, businessID, id string) (notification.Webhook, error) {
	return scanWebhook(s.db.QueryRow(ctx, `SELECT id, business_id, url, event_types, secret, created_at
		FROM webhooks WHERE business_id = ? AND id = ?`, businessID, id))
}

// Webhooks lists a business's webhooks, oldest first.
func (s *Store) Webhooks(ctx context.Context, businessID string) ([]notification.Webhook, error) {
	rows, err := s.db.Query(ctx, `SELECT id, business_id, url, event_types, secret, created_at
		FROM webhooks WHERE business_id = ? ORDER BY created_at, id`, businessID)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return sqldb.Collect(rows, scanWebhook)
}

// DeleteWebhook removes a webhook; its deliveries and attempts go with it
// (ON DELETE CASCADE).
func (s *Store) DeleteWebhook(ctx context.Context, businessID, id string) error {
	res, err := s.db.Exec(ctx, `DELETE FROM webhooks WHERE business_id = ? AND id = ?`, businessID, id)
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

func scanWebhookDelivery(row sqldb.Scanner) (notification.WebhookDelivery, error) {
	var d notification.WebhookDelivery
	err := row.Scan(&d.ID, &d.WebhookID, &d.BusinessID, &d.EventID, &d.EventType, &d.Body, &d.Status, &d.Attempts,
		sqldb.Instant(&d.NextAttemptAt), &d.LastStatusCode, &d.LastError, sqldb.Instant(&d.CreatedAt), sqldb.Instant(&d.UpdatedAt))
	return d, interpretError(err)
}

// AddWebhookDelivery inserts d unless its webhook has the event already.
func (s *Store) AddWebhookDelivery(ctx context.Context, d notification.WebhookDelivery) (bool, error) {
	res, err := s.db.Exec(ctx, `INSERT INTO webhook_deliveries (`+webhookDeliveryColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (webhook_id, event_id) DO NOTHING`,
		d.ID, d.WebhookID, d.BusinessID, d.EventID, d.EventType, d.Body, d.Status, d.Attempts,
		s.db.Time(d.NextAttemptAt), d.LastStatusCode, d.LastError, s.db.Time(d.CreatedAt), s.db.Time(d.UpdatedAt))
	if err != nil {
		return false, fmt.Errorf("add webhook delivery %s: %w", d.ID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// WebhookDelivery returns a webhook's delivery id with its attempts.
func (s *Store) WebhookDelivery(ctx context.Context, webhookID, id string) (notification.WebhookDelivery, error) {
	d, err := scanWebhookDelivery(s.db.QueryRow(ctx, `SELECT `+webhookDeliveryColumns+`
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
	rows, err := s.db.Query(ctx, `SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries
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
	rows, err := s.db.Query(ctx, `SELECT delivery_id, attempt, at, status_code, error, duration_us
		FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt`, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("list webhook attempts: %w", err)
	}
	return sqldb.Collect(rows, func(row sqldb.Scanner) (notification.WebhookAttempt, error) {
		var a notification.WebhookAttempt
		var us int64
		err := row.Scan(&a.DeliveryID, &a.Attempt, sqldb.Instant(&a.At), &a.StatusCode, &a.Error, &us)
		a.Duration = time.Duration(us) * time.Microsecond
		return a, err
	})
}

// ClaimDueWebhookDelivery returns the earliest pending delivery due at
// now, locked and skipped by other claimers (FOR UPDATE SKIP LOCKED on
// PostgreSQL; SQLite's transaction holds the write lock, see
// ClaimDueReminder).
func (s *Store) ClaimDueWebhookDelivery(ctx context.Context, now time.Time) (notification.WebhookDelivery, error) {
	return scanWebhookDelivery(s.db.QueryRow(ctx, `SELECT `+webhookDeliveryColumns+`
		FROM webhook_deliveries WHERE status = ? AND next_attempt_at <= ?
		ORDER BY next_attempt_at, id LIMIT 1`+s.db.ForUpdateSkipLocked(), notification.WebhookPending, s.db.Time(now)))
}

// UpdateWebhookDelivery writes d's state.
func (s *Store) UpdateWebhookDelivery(ctx context.Context, d notification.WebhookDelivery) error {
	_, err := s.db.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?,
		last_status_code = ?, last_error = ?, updated_at = ? WHERE id = ?`,
		d.Status, d.Attempts, s.db.Time(d.NextAttemptAt), d.LastStatusCode, d.LastError, s.db.Time(d.UpdatedAt), d.ID)
	if err != nil {
		return fmt.Errorf("update webhook delivery %s: %w", d.ID, err)
	}
	return nil
}

// AddWebhookAttempt appends an attempt to its delivery's history,
// numbering it after the last.
func (s *Store) AddWebhookAttempt(ctx context.Context, a notification.WebhookAttempt) error {
	_, err := s.db.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_us)
		VALUES (?, (SELECT COALESCE(MAX(attempt), 0) + 1 FROM webhook_attempts WHERE delivery_id = ?), ?, ?, ?, ?)`,
		a.DeliveryID, a.DeliveryID, s.db.Time(a.At), a.StatusCode, a.Error, a.Duration.Microseconds())
	if err != nil {
		return fmt.Errorf("add webhook attempt of %s: %w", a.DeliveryID, err)
	}
	return nil
}
