package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const queuedColumns = `id, source_id, kind, recipient_id, to_addr, to_name, from_name, reply_to, reply_to_name,
	subject, text_body, html_body, correlation, due_at, status, attempts, last_error, created_at`

func scanQueued(row sqldb.Scanner) (notification.QueuedMessage, error) {
	var q notification.QueuedMessage
	m := &q.Message
	err := row.Scan(&q.ID, &q.SourceID, &q.Kind, &q.RecipientID, &m.To, &m.ToName, &m.FromName, &m.ReplyTo, &m.ReplyToName,
		&m.Subject, &m.Text, &m.HTML, &q.Correlation, sqldb.Instant(&q.DueAt), &q.Status, &q.Attempts, &q.LastError,
		sqldb.Instant(&q.CreatedAt))
	return q, interpretError(err)
}

// QueueMessage inserts q unless the queue holds a message of the same
// source, kind and address; it reports whether it inserted.
func (s *Store) QueueMessage(ctx context.Context, q notification.QueuedMessage) (bool, error) {
	m := q.Message
	res, err := s.db.Exec(ctx, `INSERT INTO queued_messages (`+queuedColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source_id, kind, to_addr) DO NOTHING`,
		q.ID, q.SourceID, q.Kind, q.RecipientID, m.To, m.ToName, m.FromName, m.ReplyTo, m.ReplyToName,
		m.Subject, m.Text, m.HTML, q.Correlation, s.db.Time(q.DueAt), q.Status, q.Attempts, q.LastError, s.db.Time(q.CreatedAt))
	if err != nil {
		return false, fmt.Errorf("queue message %s: %w", q.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("queue message %s: %w", q.ID, err)
	}
	return n == 1, nil
}

// QueuedMessages lists the queue of recipientID ("" for all), oldest
// first.
func (s *Store) QueuedMessages(ctx context.Context, recipientID string) ([]notification.QueuedMessage, error) {
	rows, err := s.db.Query(ctx, `SELECT `+queuedColumns+` FROM queued_messages
		WHERE ? = '' OR recipient_id = ? ORDER BY created_at, id`, recipientID, recipientID)
	if err != nil {
		return nil, fmt.Errorf("list queued messages: %w", err)
	}
	return sqldb.Collect(rows, scanQueued)
}

// ClaimDueQueuedMessage returns the earliest waiting message due at now,
// locked until the transaction ends; like ClaimDueReminder, rows other
// transactions hold are skipped on PostgreSQL, and SQLite's write lock
// serialises the claimers.
func (s *Store) ClaimDueQueuedMessage(ctx context.Context, now time.Time) (notification.QueuedMessage, error) {
	return scanQueued(s.db.QueryRow(ctx, `SELECT `+queuedColumns+` FROM queued_messages
		WHERE status = ? AND due_at <= ? ORDER BY due_at, id LIMIT 1`+s.db.ForUpdateSkipLocked(),
		notification.QueuedWaiting, s.db.Time(now)))
}

// UpdateQueuedMessage writes q's status, due time, attempts and last
// error.
func (s *Store) UpdateQueuedMessage(ctx context.Context, q notification.QueuedMessage) error {
	_, err := s.db.Exec(ctx, `UPDATE queued_messages SET due_at = ?, status = ?, attempts = ?, last_error = ?
		WHERE id = ?`, s.db.Time(q.DueAt), q.Status, q.Attempts, q.LastError, q.ID)
	if err != nil {
		return fmt.Errorf("update queued message %s: %w", q.ID, err)
	}
	return nil
}
