package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const bookingColumns = `id, business_id, client_id, start_time, manage_token_hash, state, closed_at, updated_at`

func (s *Store) scanBooking(r sqldb.Scanner) (payment.Booking, error) {
	var b payment.Booking
	err := r.Scan(&b.ID, &b.BusinessID, &b.ClientID, sqldb.Instant(&b.StartTime), &b.ManageTokenHash, &b.State,
		sqldb.Instant(&b.ClosedAt), sqldb.Instant(&b.UpdatedAt))
	return b, interpretError(err)
}

// LockBooking returns the booking id, locked until the transaction ends.
func (s *Store) LockBooking(ctx context.Context, id string) (payment.Booking, error) {
	return s.scanBooking(s.db.QueryRow(ctx, `SELECT `+bookingColumns+` FROM payment_bookings WHERE id = ?`+s.db.ForUpdate(), id))
}

// Booking returns the booking id.
func (s *Store) Booking(ctx context.Context, id string) (payment.Booking, error) {
	return s.scanBooking(s.db.QueryRow(ctx, `SELECT `+bookingColumns+` FROM payment_bookings WHERE id = ?`, id))
}

// PutBooking inserts or replaces b.
func (s *Store) PutBooking(ctx context.Context, b payment.Booking) error {
	err := s.exec(ctx, `INSERT INTO payment_bookings (`+bookingColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET business_id = excluded.business_id, client_id = excluded.client_id,
		start_time = excluded.start_time, manage_token_hash = excluded.manage_token_hash, state = excluded.state,
		closed_at = excluded.closed_at, updated_at = excluded.updated_at`,
		b.ID, b.BusinessID, b.ClientID, s.db.Time(b.StartTime), b.ManageTokenHash, b.State, s.db.NullTime(b.ClosedAt), s.db.Time(b.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put booking %s: %w", b.ID, err)
	}
	return nil
}

const paymentColumns = `id, booking_id, business_id, client_id, amount_minor, currency, provider, provider_ref,
	client_secret, pay_url, checkout_ref, status, method, failure_reason, refunded_minor, correlation_id, created_at, updated_at`

func (s *Store) scanPayment(r sqldb.Scanner) (payment.Payment, error) {
	var p payment.Payment
	err := r.Scan(&p.ID, &p.BookingID, &p.BusinessID, &p.ClientID, &p.Amount, &p.Currency, &p.Provider, &p.ProviderRef,
		&p.ClientSecret, &p.PayURL, &p.CheckoutRef, &p.Status, &p.Method, &p.FailureReason, &p.Refunded, &p.CorrelationID,
		sqldb.Instant(&p.CreatedAt), sqldb.Instant(&p.UpdatedAt))
	return p, interpretError(err)
}

// CreatePayment inserts p; ErrDuplicate when its booking has a payment.
func (s *Store) CreatePayment(ctx context.Context, p payment.Payment) error {
	err := s.exec(ctx, `INSERT INTO payments (`+paymentColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.BookingID, p.BusinessID, p.ClientID, p.Amount, p.Currency, p.Provider, p.ProviderRef,
		p.ClientSecret, p.PayURL, p.CheckoutRef, p.Status, p.Method, p.FailureReason, p.Refunded, p.CorrelationID, s.db.Time(p.CreatedAt), s.db.Time(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert payment %s: %w", p.ID, err)
	}
	return nil
}

// Payment returns the payment id.
func (s *Store) Payment(ctx context.Context, id string) (payment.Payment, error) {
	return s.scanPayment(s.db.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`, id))
}

// PaymentByBooking returns the payment of a booking.
func (s *Store) PaymentByBooking(ctx context.Context, bookingID string) (payment.Payment, error) {
	return s.scanPayment(s.db.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE booking_id = ?`, bookingID))
}

// LockPayment returns the payment id, locked until the transaction ends.
func (s *Store) LockPayment(ctx context.Context, id string) (payment.Payment, error) {
	return s.scanPayment(s.db.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`+s.db.ForUpdate(), id))
}

// LockPaymentByRef returns the payment of a provider's intent, locked.
func (s *Store) LockPaymentByRef(ctx context.Context, provider, ref string) (payment.Payment, error) {
	return s.scanPayment(s.db.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE provider = ? AND provider_ref = ?`+s.db.ForUpdate(), provider, ref))
}

// SavePayment writes p's mutable fields.
func (s *Store) SavePayment(ctx context.Context, p payment.Payment) error {
	res, err := s.db.Exec(ctx, `UPDATE payments SET provider_ref = ?, client_secret = ?, pay_url = ?, checkout_ref = ?,
		status = ?, method = ?, failure_reason = ?, refunded_minor = ?, updated_at = ? WHERE id = ?`,
		p.ProviderRef, p.ClientSecret, p.PayURL, p.CheckoutRef, p.Status, p.Method, p.FailureReason, p.Refunded, s.db.Time(p.UpdatedAt), p.ID)
	if err != nil {
		return fmt.Errorf("update payment %s: %w", p.ID, interpretError(err))
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
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, r.PaymentID, r.ProviderRef, r.Amount, r.Currency, r.Reason, s.db.Time(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert refund %s: %w", r.ID, err)
	}
	return nil
}

// Refunds lists a payment's refunds, oldest first.
func (s *Store) Refunds(ctx context.Context, paymentID string) ([]payment.Refund, error) {
	rows, err := s.db.Query(ctx, `SELECT id, payment_id, provider_ref, amount_minor, currency, reason, created_at
		FROM payment_refunds WHERE payment_id = ? ORDER BY created_at, id`, paymentID)
	if err != nil {
		return nil, fmt.Errorf("list refunds: %w", err)
	}
	return sqldb.Collect(rows, func(row sqldb.Scanner) (r payment.Refund, err error) {
		err = row.Scan(&r.ID, &r.PaymentID, &r.ProviderRef, &r.Amount, &r.Currency, &r.Reason, sqldb.Instant(&r.CreatedAt))
		return r, err
	})
}

// MarkWebhookEvent records a provider's event id; ErrDuplicate when known.
func (s *Store) MarkWebhookEvent(ctx context.Context, provider, eventID string, at time.Time) error {
	err := s.exec(ctx, `INSERT INTO payment_webhook_events (provider, event_id, received_at) VALUES (?, ?, ?)`,
		provider, eventID, s.db.Time(at))
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
	err := s.db.QueryRow(ctx, `SELECT owner_id FROM payment_business_owners WHERE business_id = ?`, businessID).Scan(&owner)
	return owner, interpretError(err)
}
