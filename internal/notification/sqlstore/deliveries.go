package sqlstore

import (
	"context"
	"fmt"

	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const deliveryColumns = `id, source_id, channel, recipient, recipient_id, kind, subject, status, attempts,
	provider_message_id, last_error, created_at, updated_at`

func scanDelivery(row sqldb.Scanner) (notification.Delivery, error) {
	var d notification.Delivery
	err := row.Scan(&d.ID, &d.Key.SourceID, &d.Key.Channel, &d.Key.Recipient, &d.RecipientID, &d.Kind, &d.Subject,
		&d.Status, &d.Attempts, &d.ProviderMessageID, &d.LastError, sqldb.Instant(&d.CreatedAt), sqldb.Instant(&d.UpdatedAt))
	return d, interpretError(err)
}

// Delivery returns the ledger row of key.
func (s *Store) Delivery(ctx context.Context, key notification.DeliveryKey) (notification.Delivery, error) {
	return scanDelivery(s.db.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE source_id = ? AND channel = ? AND recipient = ?`, key.SourceID, key.Channel, key.Recipient))
}

// PutDelivery inserts d or updates the row of its key.
func (s *Store) PutDelivery(ctx context.Context, d notification.Delivery) error {
	_, err := s.db.Exec(ctx, `INSERT INTO deliveries (`+deliveryColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source_id, channel, recipient) DO UPDATE SET recipient_id = excluded.recipient_id,
			kind = excluded.kind, subject = excluded.subject, status = excluded.status,
			attempts = excluded.attempts, provider_message_id = excluded.provider_message_id,
			last_error = excluded.last_error, updated_at = excluded.updated_at`,
		d.ID, d.Key.SourceID, d.Key.Channel, d.Key.Recipient, d.RecipientID, d.Kind, d.Subject, d.Status,
		d.Attempts, d.ProviderMessageID, d.LastError, s.db.Time(d.CreatedAt), s.db.Time(d.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put delivery %s: %w", d.ID, err)
	}
	return nil
}

// Deliveries lists the ledger of recipientID ("" for all), oldest first.
func (s *Store) Deliveries(ctx context.Context, recipientID string) ([]notification.Delivery, error) {
	rows, err := s.db.Query(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE ? = '' OR recipient_id = ? ORDER BY created_at, id`, recipientID, recipientID)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return sqldb.Collect(rows, scanDelivery)
}
