package eventbus

import (
	"context"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
)

// InboxStore records which events each consumer has processed: the
// idempotency middleware claims (consumer, event id) in the transaction that
// applies the handler's effects, so an event delivered twice takes effect
// once. SQLInbox is the implementation on both engines.
type InboxStore interface {
	// Claim records the event as processed by consumer inside tx. first is
	// false when it was recorded before (by a committed transaction); the
	// row disappears again if tx rolls back.
	Claim(ctx context.Context, tx *sqldb.Tx, consumer, eventID string, now time.Time) (first bool, err error)
	// DeleteBefore removes the records of events processed before the given
	// instant and returns how many it removed. Keep them longer than any
	// redelivery can take (the stream's duplicate window and the retries).
	DeleteBefore(ctx context.Context, before time.Time) (int64, error)
}

// SQLInbox is the InboxStore on the table inbox_events of either engine
// (created by the platform's migrations). Its SQL is the same on both: on
// PostgreSQL a concurrent claim of the same event waits on the uncommitted
// row, so only one of two instances applies the event; SQLite has one
// writer, so two claims never overlap.
type SQLInbox struct{ db *sqldb.DB }

// NewSQLInbox returns the inbox of db.
func NewSQLInbox(db *sqldb.DB) *SQLInbox { return &SQLInbox{db: db} }

// Claim implements InboxStore.
func (s *SQLInbox) Claim(ctx context.Context, tx *sqldb.Tx, consumer, eventID string, now time.Time) (bool, error) {
	res, err := s.db.Exec(sqldb.WithTx(ctx, tx),
		`INSERT INTO inbox_events (consumer, event_id, processed_at) VALUES (?, ?, ?)
		 ON CONFLICT (consumer, event_id) DO NOTHING`,
		consumer, eventID, s.db.Time(now))
	if err != nil {
		return false, fmt.Errorf("inbox claim %s %s: %w", consumer, eventID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("inbox claim %s %s: rows affected: %w", consumer, eventID, err)
	}
	return n == 1, nil
}

// DeleteBefore implements InboxStore.
func (s *SQLInbox) DeleteBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM inbox_events WHERE processed_at < ?`, s.db.Time(before))
	if err != nil {
		return 0, fmt.Errorf("inbox delete before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("inbox delete: rows affected: %w", err)
	}
	return n, nil
}
