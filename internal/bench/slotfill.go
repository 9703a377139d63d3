package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
)

// bookingFill adds the slot benchmark's existing bookings. Every staff
// member's bookings are 30 minutes long and never overlap (PostgreSQL's
// exclusion constraint checks it). A fixed set lies inside the window
// (inWindowPerDay per staff member and day, capped by the smallest
// non-zero booking count); the rest alternate before and after the
// window, 2 hours apart, a day or more away from it, over years.
type bookingFill struct {
	engine       sqldb.Engine
	staff        int
	windowStart  time.Time
	windowEnd    time.Time
	inTarget     int // bookings inside the window once any exist
	inAdded      int
	outsideAdded int
}

func newBookingFill(cfg SlotsConfig, staff int) *bookingFill {
	_, _, start, end := slotWindow(cfg.Days)
	f := &bookingFill{engine: cfg.Engine, staff: staff, windowStart: start, windowEnd: end, inTarget: inWindowPerDay * cfg.Days * staff}
	for _, n := range cfg.Bookings {
		if n > 0 {
			f.inTarget = min(f.inTarget, n)
			break
		}
	}
	return f
}

// inWindowNow returns the bookings inside the window so far.
func (f *bookingFill) inWindowNow() int { return f.inAdded }

// fillRow is one booking to insert.
type fillRow struct {
	id         string
	staffID    string
	start, end time.Time
}

// growTo adds bookings until there are n, in one transaction, then
// refreshes the planner's statistics (as autovacuum would).
func (f *bookingFill) growTo(ctx context.Context, db *sqldb.DB, n int) error {
	have := f.inAdded + f.outsideAdded
	if n <= have {
		return nil
	}
	rows := make([]fillRow, 0, n-have)
	for ; f.inAdded < f.inTarget && have < n; have++ {
		rows = append(rows, f.inside(f.inAdded))
		f.inAdded++
	}
	for ; have < n; have++ {
		rows = append(rows, f.outside(f.outsideAdded))
		f.outsideAdded++
	}
	err := db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		for lo := 0; lo < len(rows); lo += bulkRows {
			if err := f.insert(ctx, tx, rows[lo:min(lo+bulkRows, len(rows))]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("fill bookings: %w", err)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE bookings"); err != nil {
		return fmt.Errorf("analyze bookings: %w", err)
	}
	return nil
}

// inside is the j-th booking inside the window: at 10:00, 13:00 and 15:30
// local time of each day, staff member after staff member.
func (f *bookingFill) inside(j int) fillRow {
	s, r := j%f.staff, j/f.staff
	offsets := [inWindowPerDay]time.Duration{10 * time.Hour, 13 * time.Hour, 15*time.Hour + 30*time.Minute}
	start := f.windowStart.Add(time.Duration(r/inWindowPerDay)*24*time.Hour + offsets[r%inWindowPerDay])
	return fillRow{id: fmt.Sprintf("booking_in_%08d", j), staffID: slotStaffID(s), start: start, end: start.Add(30 * time.Minute)}
}

// outside is the k-th booking outside the window: even ones before it,
// odd ones after it.
func (f *bookingFill) outside(k int) fillRow {
	s, r := k%f.staff, k/f.staff
	step := time.Duration(r/2) * 2 * time.Hour
	start := f.windowEnd.Add(24*time.Hour + step)
	if r%2 == 0 {
		start = f.windowStart.Add(-24*time.Hour - step - time.Hour)
	}
	return fillRow{id: fmt.Sprintf("booking_out_%08d", k), staffID: slotStaffID(s), start: start, end: start.Add(30 * time.Minute)}
}

// insert writes rows with one multi-row INSERT (confirmed, free, no
// buffers: blocked = start..end).
func (f *bookingFill) insert(ctx context.Context, tx *sqldb.Tx, rows []fillRow) error {
	mark := "?"
	if f.engine == sqldb.Postgres {
		mark = "$"
	}
	var sb strings.Builder
	sb.WriteString(`INSERT INTO bookings (id, business_id, service_id, staff_id, client_id, client_name, client_email,
		client_phone, status, start_at, end_at, blocked_start, blocked_end, total_minor, currency, requires_payment,
		hold_until, manage_token_hash, correlation_id, cancel_reason, cancelled_by, created_at, updated_at) VALUES `)
	args := make([]any, 0, 4*len(rows))
	for i, r := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		p := func(k int) string { return fmt.Sprintf("%s%d", mark, 4*i+k) }
		fmt.Fprintf(&sb, "(%s, '%s', '%s', %s, 'user_client', '', '', '', 'confirmed', %s, %s, %s, %s, 0, 'EUR', FALSE, NULL, '', 'corr_bench', '', '', %s, %s)",
			p(1), slotBusiness, slotService, p(2), p(3), p(4), p(3), p(4), p(3), p(3))
		args = append(args, r.id, r.staffID, f.instant(r.start), f.instant(r.end))
	}
	if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
		return fmt.Errorf("insert %d bookings: %w", len(rows), err)
	}
	return nil
}

// instant is t as the engine's bookings table stores it.
func (f *bookingFill) instant(t time.Time) any {
	if f.engine == sqldb.Postgres {
		return t.UTC()
	}
	return t.UnixMicro()
}
