package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/payment"
)

type scanner interface{ Scan(dest ...any) error }

const bookingColumns = `id, business_id, client_id, start_time, manage_token_hash, state, closed_at, updated_at`

func (s *Store) scanBooking(r scanner) (payment.Booking, error) {
	var b payment.Booking
	var start, closed, updated instant
	err := r.Scan(&b.ID, &b.BusinessID, &b.ClientID, &start, &b.ManageTokenHash, &b.State, &closed, &updated)
	b.StartTime, b.ClosedAt, b.UpdatedAt = start.t, closed.t, updated.t
	return b, s.d.Err(err)
}

// LockBooking returns the booking id, locked until the transaction ends.
func (s *Store) LockBooking(ctx context.Context, id string) (payment.Booking, error) {
	return s.scanBooking(s.row(ctx, `SELECT `+bookingColumns+` FROM payment_bookings WHERE id = ?`+s.d.ForUpdate, id))
}

// Booking returns the booking id.
func (s *Store) Booking(ctx context.Context, id string) (payment.Booking, error) {
	return s.scanBooking(s.row(ctx, `SELECT `+bookingColumns+` FROM payment_bookings WHERE id = ?`, id))
}

// PutBooking inserts or replaces b.
func (s *Store) PutBooking(ctx context.Context, b payment.Booking) error {
	err := s.exec(ctx, `INSERT INTO payment_bookings (`+bookingColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET business_id = excluded.business_id, client_id = excluded.client_id,
		start_time = excluded.start_time, manage_token_hash = excluded.manage_token_hash, state = excluded.state,
		closed_at = excluded.closed_at, updated_at = excluded.updated_at`,
		b.ID, b.BusinessID, b.ClientID, s.ts(b.StartTime), b.ManageTokenHash, b.State, s.nullTS(b.ClosedAt), s.ts(b.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put booking %s: %w", b.ID, err)
	}
	return nil
}

const paymentColumns = `id, booking_id, business_id, client_id, amount_minor, currency, provider, provider_ref,
	client_secret, pay_url, status, method, failure_reason, refunded_minor, correlation_id, created_at, updated_at`

func (s *Store) scanPayment(r scanner) (payment.Payment, error) {
	var p payment.Payment
	var created, updated instant
	err := r.Scan(&p.ID, &p.BookingID, &p.BusinessID, &p.ClientID, &p.Amount, &p.Currency, &p.Provider, &p.ProviderRef,
		&p.ClientSecret, &p.PayURL, &p.Status, &p.Method, &p.FailureReason, &p.Refunded, &p.CorrelationID, &created, &updated)
	p.CreatedAt, p.UpdatedAt = created.t, updated.t
	return p, s.d.Err(err)
}

// CreatePayment inserts p; ErrDuplicate when its booking has a payment.
func (s *Store) CreatePayment(ctx context.Context, p payment.Payment) error {
	err := s.exec(ctx, `INSERT INTO payments (`+paymentColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.BookingID, p.BusinessID, p.ClientID, p.Amount, p.Currency, p.Provider, p.ProviderRef,
		p.ClientSecret, p.PayURL, p.Status, p.Method, p.FailureReason, p.Refunded, p.CorrelationID, s.ts(p.CreatedAt), s.ts(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert payment %s: %w", p.ID, err)
	}
	return nil
}

// Payment returns the payment id.
func (s *Store) Payment(ctx context.Context, id string) (payment.Payment, error) {
	return s.scanPayment(s.row(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`, id))
}

// PaymentByBooking returns the payment of a booking.
func (s *Store) PaymentByBooking(ctx context.Context, bookingID string) (payment.Payment, error) {
	return s.scanPayment(s.row(ctx, `SELECT `+paymentColumns+` FROM payments WHERE booking_id = ?`, bookingID))
}

// LockPayment returns the payment id, locked until the transaction ends.
func (s *Store) LockPayment(ctx context.Context, id string) (payment.Payment, error) {
	return s.scanPayment(s.row(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`+s.d.ForUpdate, id))
}

// LockPaymentByRef returns the payment of a provider's intent, locked.
func (s *Store) LockPaymentByRef(ctx context.Context, provider, ref string) (payment.Payment, error) {
	return s.scanPayment(s.row(ctx, `SELECT `+paymentColumns+` FROM payments WHERE provider = ? AND provider_ref = ?`+s.d.ForUpdate, provider, ref))
}

// SavePayment writes p's mutable fields.
func (s *Store) SavePayment(ctx context.Context, p payment.Payment) error {
	res, err := s.result(ctx, `UPDATE payments SET provider_ref = ?, client_secret = ?, pay_url = ?,
		status = ?, method = ?, failure_reason = ?, refunded_minor = ?, updated_at = ? WHERE id = ?`,
		p.ProviderRef, p.ClientSecret, p.PayURL, p.Status, p.Method, p.FailureReason, p.Refunded, s.ts(p.UpdatedAt), p.ID)
	if err != nil {
		return fmt.Errorf("update payment %s: %w", p.ID, s.d.Err(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("update payment %s: %w", p.ID, orNotFound(err))
	}
	return nil
}

func orNotFound(err error) error {
	if err != nil {
		return err
	}
	return payment.ErrNotFound
}

// CreateRefund inserts r.
func (s *Store) CreateRefund(ctx context.Context, r payment.Refund) error {
	err := s.exec(ctx, `INSERT INTO payment_refunds (id, payment_id, provider_ref, amount_minor, currency, reason, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, r.PaymentID, r.ProviderRef, r.Amount, r.Currency, r.Reason, s.ts(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert refund %s: %w", r.ID, err)
	}
	return nil
}

// Refunds lists a payment's refunds, oldest first.
func (s *Store) Refunds(ctx context.Context, paymentID string) ([]payment.Refund, error) {
	rows, err := s.rows(ctx, `SELECT id, payment_id, provider_ref, amount_minor, currency, reason, created_at
		FROM payment_refunds WHERE payment_id = ? ORDER BY created_at, id`, paymentID)
	if err != nil {
		return nil, fmt.Errorf("list refunds: %w", err)
	}
	defer rows.Close()
	out := []payment.Refund{}
	for rows.Next() {
		var r payment.Refund
		var created instant
		if err := rows.Scan(&r.ID, &r.PaymentID, &r.ProviderRef, &r.Amount, &r.Currency, &r.Reason, &created); err != nil {
			return nil, fmt.Errorf("scan refund: %w", err)
		}
		r.CreatedAt = created.t
		out = append(out, r)
	}
	return out, rows.Err()
}

// MarkWebhookEvent records a provider's event id; ErrDuplicate when known.
func (s *Store) MarkWebhookEvent(ctx context.Context, provider, eventID string, at time.Time) error {
	err := s.exec(ctx, `INSERT INTO payment_webhook_events (provider, event_id, received_at) VALUES (?, ?, ?)`,
		provider, eventID, s.ts(at))
	if err != nil {
		return fmt.Errorf("mark webhook event %s: %w", eventID, err)
	}
	return nil
}

// PutBusinessOwner records a business's owner.
func (s *Store) PutBusinessOwner(ctx context.Context, businessID, ownerID string) error {
	err := s.exec(ctx, `INSERT INTO payment_business_owners (business_id, owner_id) VALUES (?, ?)
		ON CONFLICT (business_id) DO UPDATE SET owner_id = excluded.owner_id`, businessID, ownerID)
	if err != nil {
		return fmt.Errorf("put owner of %s: %w", businessID, err)
	}
	return nil
}

// BusinessOwner returns the owner of a business.
func (s *Store) BusinessOwner(ctx context.Context, businessID string) (string, error) {
	var owner string
	err := s.row(ctx, `SELECT owner_id FROM payment_business_owners WHERE business_id = ?`, businessID).Scan(&owner)
	return owner, s.d.Err(err)
}
