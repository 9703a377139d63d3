package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const reminderColumns = `id, booking_id, offset_seconds, due_at, status, attempts, last_error`

func scanReminder(row sqldb.Scanner) (notification.Reminder, error) {
	var r notification.Reminder
	var offset int64
	err := row.Scan(&r.ID, &r.BookingID, &offset, sqldb.Instant(&r.DueAt), &r.Status, &r.Attempts, &r.LastError)
	r.Offset = time.Duration(offset) * time.Second
	return r, interpretError(err)
}

// ReplaceReminders drops the booking's scheduled reminders and adds rs.
func (s *Store) ReplaceReminders(ctx context.Context, bookingID string, rs []notification.Reminder) error {
	return s.Atomically(ctx, func(ctx context.Context) error {
		if _, err := s.db.Exec(ctx, `DELETE FROM reminders WHERE booking_id = ? AND status = ?`,
			bookingID, notification.ReminderScheduled); err != nil {
			return fmt.Errorf("drop reminders of %s: %w", bookingID, err)
		}
		for _, r := range rs {
			_, err := s.db.Exec(ctx, `INSERT INTO reminders (`+reminderColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				r.ID, r.BookingID, int64(r.Offset/time.Second), s.db.Time(r.DueAt), r.Status, r.Attempts, r.LastError)
			if err != nil {
				return fmt.Errorf("add reminder %s: %w", r.ID, err)
			}
		}
		return nil
	})
}

// Reminders lists a booking's reminders ("" for all) by due time.
func (s *Store) Reminders(ctx context.Context, bookingID string) ([]notification.Reminder, error) {
	rows, err := s.db.Query(ctx, `SELECT `+reminderColumns+` FROM reminders
		WHERE ? = '' OR booking_id = ? ORDER BY due_at, id`, bookingID, bookingID)
	if err != nil {
		return nil, fmt.Errorf("list reminders: %w", err)
	}
	return sqldb.Collect(rows, scanReminder)
}

// ClaimDueReminder returns the earliest scheduled reminder due at now,
// locked until the transaction ends. On PostgreSQL rows other transactions
// hold are skipped (FOR UPDATE SKIP LOCKED), so instances never fire one
// twice; SQLite's transaction holds the database's write lock from its
// start (BEGIN IMMEDIATE), which gives the same.
func (s *Store) ClaimDueReminder(ctx context.Context, now time.Time) (notification.Reminder, error) {
	return scanReminder(s.db.QueryRow(ctx, `SELECT `+reminderColumns+` FROM reminders
		WHERE status = ? AND due_at <= ? ORDER BY due_at, id LIMIT 1`+s.db.ForUpdateSkipLocked(),
		notification.ReminderScheduled, s.db.Time(now)))
}

// UpdateReminder writes r's status, due time, attempts and last error.
func (s *Store) UpdateReminder(ctx context.Context, r notification.Reminder) error {
	_, err := s.db.Exec(ctx, `UPDATE reminders SET due_at = ?, status = ?, attempts = ?, last_error = ?
		WHERE id = ?`, s.db.Time(r.DueAt), r.Status, r.Attempts, r.LastError, r.ID)
	if err != nil {
		return fmt.Errorf("update reminder %s: %w", r.ID, err)
	}
	return nil
}
