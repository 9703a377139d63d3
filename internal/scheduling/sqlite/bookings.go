package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const bookingColumns = `id, business_id, service_id, staff_id, client_id, client_name, client_email, client_phone,
	status, start_at, end_at, blocked_start, blocked_end, total_minor, currency, requires_payment, hold_until,
	manage_token_hash, correlation_id, cancel_reason, cancelled_by, created_at, updated_at`

func scanBooking(row scanner) (scheduling.Booking, error) {
	var b scheduling.Booking
	var start, end, bStart, bEnd, created, updated int64
	var hold sql.NullInt64
	err := row.Scan(&b.ID, &b.BusinessID, &b.ServiceID, &b.StaffID, &b.ClientID, &b.ClientName, &b.ClientEmail,
		&b.ClientPhone, &b.Status, &start, &end, &bStart, &bEnd, &b.TotalMinor, &b.Currency,
		&b.RequiresPayment, &hold, &b.ManageTokenHash, &b.CorrelationID, &b.CancelReason, &b.CancelledBy,
		&created, &updated)
	if err != nil {
		return b, interpretError(err)
	}
	b.Start, b.End, b.BlockedStart, b.BlockedEnd = fromMicros(start), fromMicros(end), fromMicros(bStart), fromMicros(bEnd)
	b.CreatedAt, b.UpdatedAt = fromMicros(created), fromMicros(updated)
	if hold.Valid {
		b.HoldUntil = fromMicros(hold.Int64)
	}
	return b, nil
}

// overlaps reports whether a pending or confirmed booking of staffID other
// than exceptID blocks part of [from, to). Run inside the write
// transaction, it cannot race another writer.
func (s *Store) overlaps(ctx context.Context, staffID, exceptID string, from, to time.Time) (bool, error) {
	var one int
	err := s.q(ctx).QueryRowContext(ctx, `SELECT 1 FROM bookings
		WHERE staff_id = ? AND status IN ('pending', 'confirmed') AND blocked_start < ? AND blocked_start > ?
			AND blocked_end > ? AND id <> ? LIMIT 1`,
		staffID, micros(to), micros(from.Add(-scheduling.MaxBlockedSpan)), micros(from), exceptID).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("overlap check: %w", err)
	}
	return true, nil
}

// InsertBooking checks for an overlap and inserts b, in one transaction
// of the single writer (ErrSlotTaken on an overlap).
func (s *Store) InsertBooking(ctx context.Context, b scheduling.Booking) error {
	return s.Atomically(ctx, func(ctx context.Context) error {
		if b.Status.Blocks() {
			taken, err := s.overlaps(ctx, b.StaffID, b.ID, b.BlockedStart, b.BlockedEnd)
			if err != nil {
				return err
			}
			if taken {
				return scheduling.ErrSlotTaken
			}
		}
		_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO bookings (`+bookingColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ID, b.BusinessID, b.ServiceID, b.StaffID, b.ClientID, b.ClientName, b.ClientEmail, b.ClientPhone,
			string(b.Status), micros(b.Start), micros(b.End), micros(b.BlockedStart), micros(b.BlockedEnd), b.TotalMinor,
			b.Currency, b.RequiresPayment, nullMicros(b.HoldUntil), b.ManageTokenHash, b.CorrelationID, b.CancelReason,
			b.CancelledBy, micros(b.CreatedAt), micros(b.UpdatedAt))
		if err != nil {
			return fmt.Errorf("insert booking %s: %w", b.ID, interpretError(err))
		}
		return nil
	})
}

// Booking returns a booking.
func (s *Store) Booking(ctx context.Context, id string) (scheduling.Booking, error) {
	return scanBooking(s.q(ctx).QueryRowContext(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = ?`, id))
}

// UpdateBooking applies fn to the booking and writes it in one write
// transaction (which holds SQLite's write lock throughout); a move onto
// another booking's range is refused with ErrSlotTaken.
func (s *Store) UpdateBooking(ctx context.Context, id string, fn func(*scheduling.Booking) error) (scheduling.Booking, error) {
	var out scheduling.Booking
	err := s.Atomically(ctx, func(ctx context.Context) error {
		b, err := s.Booking(ctx, id)
		if err != nil {
			return err
		}
		prev := b
		if err := fn(&b); err != nil {
			return err
		}
		moved := !b.BlockedStart.Equal(prev.BlockedStart) || !b.BlockedEnd.Equal(prev.BlockedEnd) || b.StaffID != prev.StaffID
		if b.Status.Blocks() && (moved || !prev.Status.Blocks()) {
			taken, err := s.overlaps(ctx, b.StaffID, b.ID, b.BlockedStart, b.BlockedEnd)
			if err != nil {
				return err
			}
			if taken {
				return scheduling.ErrSlotTaken
			}
		}
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE bookings SET status = ?, start_at = ?, end_at = ?,
			blocked_start = ?, blocked_end = ?, hold_until = ?, cancel_reason = ?, cancelled_by = ?, updated_at = ?
			WHERE id = ?`,
			string(b.Status), micros(b.Start), micros(b.End), micros(b.BlockedStart), micros(b.BlockedEnd),
			nullMicros(b.HoldUntil), b.CancelReason, b.CancelledBy, micros(b.UpdatedAt), id)
		if err != nil {
			return fmt.Errorf("update booking %s: %w", id, interpretError(err))
		}
		out = b
		return nil
	})
	return out, err
}

// Busy returns the blocked ranges of the staff members' pending and
// confirmed bookings overlapping [from, to), by start: one query on
// bookings_staff_blocked, bounded below by the longest blocked span so its
// cost does not grow with older bookings.
func (s *Store) Busy(ctx context.Context, staffIDs []string, from, to time.Time) ([]scheduling.Busy, error) {
	if len(staffIDs) == 0 {
		return []scheduling.Busy{}, nil
	}
	list, args := in(staffIDs)
	args = append(args, micros(to), micros(from.Add(-scheduling.MaxBlockedSpan)), micros(from))
	rows, err := s.queryPrepared(ctx, `SELECT staff_id, blocked_start, blocked_end FROM bookings
		WHERE staff_id IN `+list+` AND status IN ('pending', 'confirmed') AND blocked_start < ? AND blocked_start > ?
			AND blocked_end > ?
		ORDER BY blocked_start, staff_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("busy ranges: %w", err)
	}
	return sqldb.Collect(rows, func(row scanner) (scheduling.Busy, error) {
		var b scheduling.Busy
		var start, end int64
		err := row.Scan(&b.StaffID, &start, &end)
		b.Start, b.End = fromMicros(start), fromMicros(end)
		return b, err
	})
}

// BusinessBookings lists a business's bookings starting in [from, to).
func (s *Store) BusinessBookings(ctx context.Context, businessID string, from, to time.Time, status scheduling.Status) ([]scheduling.Booking, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+bookingColumns+` FROM bookings
		WHERE business_id = ? AND (? IS NULL OR start_at >= ?) AND (? IS NULL OR start_at < ?) AND (? = '' OR status = ?)
		ORDER BY start_at, id`,
		businessID, nullMicros(from), nullMicros(from), nullMicros(to), nullMicros(to), string(status), string(status))
	if err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	return sqldb.Collect(rows, scanBooking)
}

// ClaimIdempotency inserts the key's record unless it exists (the single
// writer serialises concurrent claims).
func (s *Store) ClaimIdempotency(ctx context.Context, k scheduling.Idempotency) (scheduling.Idempotency, bool, error) {
	res, err := s.q(ctx).ExecContext(ctx, `INSERT INTO booking_idempotency (scope, key, request_hash, booking_id, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING`, k.Scope, k.Key, k.RequestHash, k.BookingID, micros(k.CreatedAt))
	if err != nil {
		return scheduling.Idempotency{}, false, fmt.Errorf("claim idempotency key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return scheduling.Idempotency{}, n == 1, err
	}
	prev, err := s.Idempotency(ctx, k.Scope, k.Key)
	return prev, false, err
}

// Idempotency returns the record of a key.
func (s *Store) Idempotency(ctx context.Context, scope, key string) (scheduling.Idempotency, error) {
	var k scheduling.Idempotency
	var created int64
	err := s.q(ctx).QueryRowContext(ctx, `SELECT scope, key, request_hash, booking_id, created_at FROM booking_idempotency
		WHERE scope = ? AND key = ?`, scope, key).Scan(&k.Scope, &k.Key, &k.RequestHash, &k.BookingID, &created)
	k.CreatedAt = fromMicros(created)
	return k, interpretError(err)
}

// ClaimDueHolds returns due pending bookings; the caller's write
// transaction holds SQLite's only write lock, so no other instance can
// claim them meanwhile.
func (s *Store) ClaimDueHolds(ctx context.Context, now time.Time, limit int) ([]scheduling.Booking, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+bookingColumns+` FROM bookings
		WHERE status = 'pending' AND hold_until <= ? ORDER BY hold_until, id LIMIT ?`, micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim due holds: %w", err)
	}
	return sqldb.Collect(rows, scanBooking)
}

// NextHold returns the earliest hold end of a pending booking.
func (s *Store) NextHold(ctx context.Context) (time.Time, bool, error) {
	var t sql.NullInt64
	if err := s.q(ctx).QueryRowContext(ctx, `SELECT min(hold_until) FROM bookings WHERE status = 'pending'`).Scan(&t); err != nil {
		return time.Time{}, false, fmt.Errorf("next hold: %w", err)
	}
	return fromMicros(t.Int64), t.Valid, nil
}
