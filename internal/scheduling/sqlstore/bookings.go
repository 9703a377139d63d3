package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const bookingColumns = `id, business_id, service_id, staff_id, client_id, client_name, client_email, client_phone,
	status, start_at, end_at, blocked_start, blocked_end, total_minor, currency, requires_payment, hold_until,
	manage_token_hash, correlation_id, cancel_reason, cancelled_by, created_at, updated_at, note`

func scanBooking(row scanner) (scheduling.Booking, error) {
	var b scheduling.Booking
	err := row.Scan(&b.ID, &b.BusinessID, &b.ServiceID, &b.StaffID, &b.ClientID, &b.ClientName, &b.ClientEmail,
		&b.ClientPhone, &b.Status, sqldb.Instant(&b.Start), sqldb.Instant(&b.End), sqldb.Instant(&b.BlockedStart),
		sqldb.Instant(&b.BlockedEnd), &b.TotalMinor, &b.Currency, &b.RequiresPayment, sqldb.Instant(&b.HoldUntil),
		&b.ManageTokenHash, &b.CorrelationID, &b.CancelReason, &b.CancelledBy, sqldb.Instant(&b.CreatedAt),
		sqldb.Instant(&b.UpdatedAt), &b.Note)
	return b, interpretError(err)
}

// checkOverlap returns ErrSlotTaken when b, pending or confirmed, would
// overlap another such booking of its staff member — on SQLite only.
// PostgreSQL needs no check: its exclusion constraint refuses the row
// whatever the statement, and interpretError turns that violation into
// ErrSlotTaken. SQLite has no such constraint; the check runs in the write
// transaction, which holds SQLite's only write lock until it ends, so no
// other booking can be written between the check and the write.
func (s *Store) checkOverlap(ctx context.Context, b scheduling.Booking) error {
	if s.db.Engine != sqldb.SQLite || !b.Status.Blocks() {
		return nil
	}
	var one int
	err := s.db.QueryRow(ctx, `SELECT 1 FROM bookings
		WHERE staff_id = ? AND status IN ('pending', 'confirmed') AND blocked_start < ? AND blocked_start > ?
			AND blocked_end > ? AND id <> ? LIMIT 1`,
		b.StaffID, s.db.Time(b.BlockedEnd), s.db.Time(b.BlockedStart.Add(-scheduling.MaxBlockedSpan)),
		s.db.Time(b.BlockedStart), b.ID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("overlap check: %w", err)
	}
	return scheduling.ErrSlotTaken
}

// InsertBooking inserts b; ErrSlotTaken when it overlaps (see
// checkOverlap), checked and written in one transaction.
func (s *Store) InsertBooking(ctx context.Context, b scheduling.Booking) error {
	return s.Atomically(ctx, func(ctx context.Context) error {
		if err := s.checkOverlap(ctx, b); err != nil {
			return err
		}
		_, err := s.db.Exec(ctx, `INSERT INTO bookings (`+bookingColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ID, b.BusinessID, b.ServiceID, b.StaffID, b.ClientID, b.ClientName, b.ClientEmail, b.ClientPhone,
			string(b.Status), s.db.Time(b.Start), s.db.Time(b.End), s.db.Time(b.BlockedStart), s.db.Time(b.BlockedEnd),
			b.TotalMinor, b.Currency, b.RequiresPayment, s.db.NullTime(b.HoldUntil), b.ManageTokenHash, b.CorrelationID,
			b.CancelReason, b.CancelledBy, s.db.Time(b.CreatedAt), s.db.Time(b.UpdatedAt), b.Note)
		if err != nil {
			return fmt.Errorf("insert booking %s: %w", b.ID, interpretError(err))
		}
		return nil
	})
}

// Booking returns a booking.
func (s *Store) Booking(ctx context.Context, id string) (scheduling.Booking, error) {
	return scanBooking(s.db.QueryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = ?`, id))
}

// BookingByTokenHash returns the booking with the manage token hash: on
// the unique partial index bookings_manage_token, whose condition the
// query repeats so that either engine may use it.
func (s *Store) BookingByTokenHash(ctx context.Context, hash string) (scheduling.Booking, error) {
	return scanBooking(s.db.QueryRow(ctx, `SELECT `+bookingColumns+` FROM bookings
		WHERE manage_token_hash = ? AND manage_token_hash <> ''`, hash))
}

// ClientBookings returns a page of a client's bookings: a range scan of
// bookings_client_start from the previous page's place (a row-value
// comparison on (start_at, id), the index's order), in either direction.
// The split at Now is by end; a bound on start_at implied by it (a booking
// lasts less than MaxBlockedSpan) keeps the scan off the other side's rows.
func (s *Store) ClientBookings(ctx context.Context, q scheduling.ClientPageQuery) ([]scheduling.Booking, error) {
	side, after, order := `end_at > ? AND start_at > ?`, `(start_at, id) > (?, ?)`, `start_at, id`
	bound := q.Now.Add(-scheduling.MaxBlockedSpan)
	if q.Past {
		side, after, order = `end_at <= ? AND start_at < ?`, `(start_at, id) < (?, ?)`, `start_at DESC, id DESC`
		bound = q.Now
	}
	query := `SELECT ` + bookingColumns + ` FROM bookings WHERE client_id = ? AND ` + side
	args := []any{q.ClientID, s.db.Time(q.Now), s.db.Time(bound)}
	if q.After.ID != "" {
		query += ` AND ` + after
		args = append(args, s.db.Time(q.After.Start), q.After.ID)
	}
	rows, err := s.db.Query(ctx, query+` ORDER BY `+order+` LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list client bookings: %w", err)
	}
	return sqldb.Collect(rows, scanBooking)
}

// UpdateBooking locks the booking (FOR UPDATE on PostgreSQL; SQLite's
// write transaction holds its only write lock throughout), applies fn and
// writes the result; a move or revival onto another booking's range is
// refused with ErrSlotTaken.
func (s *Store) UpdateBooking(ctx context.Context, id string, fn func(*scheduling.Booking) error) (scheduling.Booking, error) {
	var out scheduling.Booking
	err := s.Atomically(ctx, func(ctx context.Context) error {
		b, err := scanBooking(s.db.QueryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = ?`+s.db.ForUpdate(), id))
		if err != nil {
			return err
		}
		prev := b
		if err := fn(&b); err != nil {
			return err
		}
		moved := !b.BlockedStart.Equal(prev.BlockedStart) || !b.BlockedEnd.Equal(prev.BlockedEnd) || b.StaffID != prev.StaffID
		if moved || !prev.Status.Blocks() {
			if err := s.checkOverlap(ctx, b); err != nil {
				return err
			}
		}
		_, err = s.db.Exec(ctx, `UPDATE bookings SET status = ?, start_at = ?, end_at = ?,
			blocked_start = ?, blocked_end = ?, hold_until = ?, cancel_reason = ?, cancelled_by = ?, updated_at = ?
			WHERE id = ?`,
			string(b.Status), s.db.Time(b.Start), s.db.Time(b.End), s.db.Time(b.BlockedStart), s.db.Time(b.BlockedEnd),
			s.db.NullTime(b.HoldUntil), b.CancelReason, b.CancelledBy, s.db.Time(b.UpdatedAt), id)
		if err != nil {
			return fmt.Errorf("update booking %s: %w", id, interpretError(err))
		}
		out = b
		return nil
	})
	return out, err
}

// Busy returns the blocked ranges of the staff members' pending and
// confirmed bookings overlapping [from, to), by start: on either engine
// one range scan per staff member on the partial index
// bookings_staff_blocked (covering: blocked_end is in it), bounded below by
// MaxBlockedSpan so bookings long before the window are never read. (On
// PostgreSQL the exclusion constraint's GiST index cannot serve
// staff_id IN (…) and would read every staff member's bookings in the
// window.) The statement is prepared once: this is the slot search's
// query.
func (s *Store) Busy(ctx context.Context, staffIDs []string, from, to time.Time) ([]scheduling.Busy, error) {
	return s.busy(ctx, staffIDs, from, to, "")
}

// BusyIgnoring is Busy without the range of booking bookingID. Its
// statement is another one ("AND id <> ?" makes the index no longer
// covering, so only this read pays the table lookups).
func (s *Store) BusyIgnoring(ctx context.Context, staffIDs []string, from, to time.Time, bookingID string) ([]scheduling.Busy, error) {
	return s.busy(ctx, staffIDs, from, to, bookingID)
}

func (s *Store) busy(ctx context.Context, staffIDs []string, from, to time.Time, ignore string) ([]scheduling.Busy, error) {
	if len(staffIDs) == 0 {
		return []scheduling.Busy{}, nil
	}
	list, args := in(staffIDs)
	args = append(args, s.db.Time(to), s.db.Time(from.Add(-scheduling.MaxBlockedSpan)), s.db.Time(from))
	except := ""
	if ignore != "" {
		except, args = ` AND id <> ?`, append(args, ignore)
	}
	rows, err := s.db.QueryPrepared(ctx, `SELECT staff_id, blocked_start, blocked_end FROM bookings
		WHERE staff_id IN `+list+` AND status IN ('pending', 'confirmed') AND blocked_start < ? AND blocked_start > ?
			AND blocked_end > ?`+except+`
		ORDER BY blocked_start, staff_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("busy ranges: %w", err)
	}
	return sqldb.Collect(rows, func(row scanner) (scheduling.Busy, error) {
		var b scheduling.Busy
		err := row.Scan(&b.StaffID, sqldb.Instant(&b.Start), sqldb.Instant(&b.End))
		return b, err
	})
}

// BusinessBookings lists a business's bookings starting in [from, to).
// Only the bounds given become conditions, so the scan of
// bookings_business_start is bounded by them.
func (s *Store) BusinessBookings(ctx context.Context, businessID string, from, to time.Time, status scheduling.Status) ([]scheduling.Booking, error) {
	var q strings.Builder
	q.WriteString(`SELECT ` + bookingColumns + ` FROM bookings WHERE business_id = ?`)
	args := []any{businessID}
	if !from.IsZero() {
		q.WriteString(` AND start_at >= ?`)
		args = append(args, s.db.Time(from))
	}
	if !to.IsZero() {
		q.WriteString(` AND start_at < ?`)
		args = append(args, s.db.Time(to))
	}
	if status != "" {
		q.WriteString(` AND status = ?`)
		args = append(args, string(status))
	}
	q.WriteString(` ORDER BY start_at, id`)
	rows, err := s.db.Query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	return sqldb.Collect(rows, scanBooking)
}

// ClaimIdempotency inserts the key's record unless it exists; a concurrent
// insert of the same key waits for the other transaction (PostgreSQL: the
// primary key's uniqueness check; SQLite: the single writer), then sees
// its row.
func (s *Store) ClaimIdempotency(ctx context.Context, k scheduling.Idempotency) (scheduling.Idempotency, bool, error) {
	res, err := s.db.Exec(ctx, `INSERT INTO booking_idempotency (scope, key, request_hash, booking_id, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING`, k.Scope, k.Key, k.RequestHash, k.BookingID, s.db.Time(k.CreatedAt))
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
	err := s.db.QueryRow(ctx, `SELECT scope, key, request_hash, booking_id, created_at FROM booking_idempotency
		WHERE scope = ? AND key = ?`, scope, key).Scan(&k.Scope, &k.Key, &k.RequestHash, &k.BookingID, sqldb.Instant(&k.CreatedAt))
	return k, interpretError(err)
}

// ClaimDueHolds locks due pending bookings, skipping those another
// transaction holds (FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the
// caller's write transaction holds the only write lock, so no other
// instance can claim them meanwhile).
func (s *Store) ClaimDueHolds(ctx context.Context, now time.Time, limit int) ([]scheduling.Booking, error) {
	rows, err := s.db.Query(ctx, `SELECT `+bookingColumns+` FROM bookings
		WHERE status = 'pending' AND hold_until <= ? ORDER BY hold_until, id LIMIT ?`+s.db.ForUpdateSkipLocked(), s.db.Time(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim due holds: %w", err)
	}
	return sqldb.Collect(rows, scanBooking)
}

// NextHold returns the earliest hold end of a pending booking.
func (s *Store) NextHold(ctx context.Context) (time.Time, bool, error) {
	var t *time.Time
	if err := s.db.QueryRow(ctx, `SELECT min(hold_until) FROM bookings WHERE status = 'pending'`).Scan(sqldb.NullInstant(&t)); err != nil {
		return time.Time{}, false, fmt.Errorf("next hold: %w", err)
	}
	if t == nil {
		return time.Time{}, false, nil
	}
	return *t, true, nil
}
