package postgres

import (
	"context"
	"database/sql"
	"errors"
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
	var hold sql.NullTime
	err := row.Scan(&b.ID, &b.BusinessID, &b.ServiceID, &b.StaffID, &b.ClientID, &b.ClientName, &b.ClientEmail,
		&b.ClientPhone, &b.Status, &b.Start, &b.End, &b.BlockedStart, &b.BlockedEnd, &b.TotalMinor, &b.Currency,
		&b.RequiresPayment, &hold, &b.ManageTokenHash, &b.CorrelationID, &b.CancelReason, &b.CancelledBy,
		&b.CreatedAt, &b.UpdatedAt)
	if err != nil {
		return b, interpretError(err)
	}
	for _, t := range []*time.Time{&b.Start, &b.End, &b.BlockedStart, &b.BlockedEnd, &b.CreatedAt, &b.UpdatedAt} {
		*t = t.UTC()
	}
	if hold.Valid {
		b.HoldUntil = hold.Time.UTC()
	}
	return b, nil
}

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }

// InsertBooking inserts b; the exclusion constraint refuses an overlap
// (ErrSlotTaken).
func (s *Store) InsertBooking(ctx context.Context, b scheduling.Booking) error {
	_, err := s.q(ctx).ExecContext(ctx, `INSERT INTO bookings (`+bookingColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
		b.ID, b.BusinessID, b.ServiceID, b.StaffID, b.ClientID, b.ClientName, b.ClientEmail, b.ClientPhone,
		string(b.Status), b.Start, b.End, b.BlockedStart, b.BlockedEnd, b.TotalMinor, b.Currency, b.RequiresPayment,
		nullTime(b.HoldUntil), b.ManageTokenHash, b.CorrelationID, b.CancelReason, b.CancelledBy, b.CreatedAt, b.UpdatedAt)
	if err != nil {
		return fmt.Errorf("insert booking %s: %w", b.ID, interpretError(err))
	}
	return nil
}

// Booking returns a booking.
func (s *Store) Booking(ctx context.Context, id string) (scheduling.Booking, error) {
	return scanBooking(s.q(ctx).QueryRowContext(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = $1`, id))
}

// UpdateBooking locks the booking (FOR UPDATE), applies fn and writes the
// result; the exclusion constraint refuses an overlapping move.
func (s *Store) UpdateBooking(ctx context.Context, id string, fn func(*scheduling.Booking) error) (scheduling.Booking, error) {
	var out scheduling.Booking
	err := s.Atomically(ctx, func(ctx context.Context) error {
		b, err := scanBooking(s.q(ctx).QueryRowContext(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if err := fn(&b); err != nil {
			return err
		}
		_, err = s.q(ctx).ExecContext(ctx, `UPDATE bookings SET status = $1, start_at = $2, end_at = $3,
			blocked_start = $4, blocked_end = $5, hold_until = $6, cancel_reason = $7, cancelled_by = $8, updated_at = $9
			WHERE id = $10`,
			string(b.Status), b.Start, b.End, b.BlockedStart, b.BlockedEnd, nullTime(b.HoldUntil), b.CancelReason,
			b.CancelledBy, b.UpdatedAt, id)
		if err != nil {
			return fmt.Errorf("update booking %s: %w", id, interpretError(err))
		}
		out = b
		return nil
	})
	return out, err
}

// Busy returns the blocked ranges of the staff members' pending and
// confirmed bookings overlapping [from, to), by start: one range scan per
// staff member on (staff_id, blocked_start), bounded below by
// MaxBlockedSpan so bookings long before the window are never read. (The
// exclusion constraint's GiST index cannot serve staff_id = ANY(…) and
// would read every staff member's bookings in the window.)
func (s *Store) Busy(ctx context.Context, staffIDs []string, from, to time.Time) ([]scheduling.Busy, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT staff_id, blocked_start, blocked_end FROM bookings
		WHERE staff_id = ANY($1) AND status IN ('pending', 'confirmed')
		  AND blocked_start < $3 AND blocked_start > $4 AND blocked_end > $2
		ORDER BY blocked_start, staff_id`, staffIDs, from, to, from.Add(-scheduling.MaxBlockedSpan))
	if err != nil {
		return nil, fmt.Errorf("busy ranges: %w", err)
	}
	return sqldb.Collect(rows, func(row scanner) (scheduling.Busy, error) {
		var b scheduling.Busy
		err := row.Scan(&b.StaffID, &b.Start, &b.End)
		b.Start, b.End = b.Start.UTC(), b.End.UTC()
		return b, err
	})
}

// BusinessBookings lists a business's bookings starting in [from, to).
func (s *Store) BusinessBookings(ctx context.Context, businessID string, from, to time.Time, status scheduling.Status) ([]scheduling.Booking, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+bookingColumns+` FROM bookings
		WHERE business_id = $1 AND ($2::timestamptz IS NULL OR start_at >= $2) AND ($3::timestamptz IS NULL OR start_at < $3)
			AND ($4 = '' OR status = $4)
		ORDER BY start_at, id`, businessID, nullTime(from), nullTime(to), string(status))
	if err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	return sqldb.Collect(rows, scanBooking)
}

// ClaimIdempotency inserts the key's record unless it exists; a concurrent
// insert of the same key waits for the other transaction (the primary
// key's uniqueness check), then sees its row.
func (s *Store) ClaimIdempotency(ctx context.Context, k scheduling.Idempotency) (scheduling.Idempotency, bool, error) {
	res, err := s.q(ctx).ExecContext(ctx, `INSERT INTO booking_idempotency (scope, key, request_hash, booking_id, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, key) DO NOTHING`, k.Scope, k.Key, k.RequestHash, k.BookingID, k.CreatedAt)
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
	err := s.q(ctx).QueryRowContext(ctx, `SELECT scope, key, request_hash, booking_id, created_at FROM booking_idempotency
		WHERE scope = $1 AND key = $2`, scope, key).Scan(&k.Scope, &k.Key, &k.RequestHash, &k.BookingID, &k.CreatedAt)
	k.CreatedAt = k.CreatedAt.UTC()
	return k, interpretError(err)
}

// ClaimDueHolds locks due pending bookings, skipping those another
// transaction holds (FOR UPDATE SKIP LOCKED).
func (s *Store) ClaimDueHolds(ctx context.Context, now time.Time, limit int) ([]scheduling.Booking, error) {
	rows, err := s.q(ctx).QueryContext(ctx, `SELECT `+bookingColumns+` FROM bookings
		WHERE status = 'pending' AND hold_until <= $1 ORDER BY hold_until, id LIMIT $2 FOR UPDATE SKIP LOCKED`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("claim due holds: %w", err)
	}
	return sqldb.Collect(rows, scanBooking)
}

// NextHold returns the earliest hold end of a pending booking.
func (s *Store) NextHold(ctx context.Context) (time.Time, bool, error) {
	var t sql.NullTime
	err := s.q(ctx).QueryRowContext(ctx, `SELECT min(hold_until) FROM bookings WHERE status = 'pending'`).Scan(&t)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, fmt.Errorf("next hold: %w", err)
	}
	return t.Time.UTC(), t.Valid, nil
}
