package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
)

// InboxStore is the consumers' inbox (table inbox_events) on SQLite, with
// processed_at in Unix microseconds. It implements eventbus.InboxStore.
type InboxStore struct{ db *sqldb.DB }

// NewInboxStore returns the inbox of db.
func NewInboxStore(db *sqldb.DB) *InboxStore { return &InboxStore{db: db} }

// Claim records (consumer, eventID) in tx and reports whether it is new.
// SQLite has one writer, so two claims of the same event never overlap.
func (s *InboxStore) Claim(ctx context.Context, tx *sqldb.Tx, consumer, eventID string, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx,
		`INSERT INTO inbox_events (consumer, event_id, processed_at) VALUES (?, ?, ?)
		 ON CONFLICT (consumer, event_id) DO NOTHING`,
		consumer, eventID, now.UnixMicro())
	if err != nil {
		return false, fmt.Errorf("inbox claim %s %s: %w", consumer, eventID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("inbox claim %s %s: rows affected: %w", consumer, eventID, err)
	}
	return n == 1, nil
}

// DeleteBefore removes records processed before the instant.
func (s *InboxStore) DeleteBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM inbox_events WHERE processed_at < ?`, before.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("inbox delete before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("inbox delete: rows affected: %w", err)
	}
	return n, nil
}
