package payment

import (
	"context"
	"time"

	"github.com/slotwise/slotwise/internal/event"
)

// Store is the payment service's persistence. Every method joins the
// transaction ctx carries (see Atomically). Methods return ErrNotFound for
// a missing row and ErrDuplicate for a second payment of a booking, a
// second row of an id, or a webhook event seen before.
type Store interface {
	// Atomically runs fn in one transaction (or in the one ctx carries).
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error

	// LockBooking returns the booking projection's row, locked until the
	// transaction ends (PostgreSQL; SQLite serializes writers).
	LockBooking(ctx context.Context, id string) (Booking, error)
	Booking(ctx context.Context, id string) (Booking, error)
	// PutBooking inserts or replaces a booking row.
	PutBooking(ctx context.Context, b Booking) error

	CreatePayment(ctx context.Context, p Payment) error
	Payment(ctx context.Context, id string) (Payment, error)
	PaymentByBooking(ctx context.Context, bookingID string) (Payment, error)
	// LockPayment returns a payment locked until the transaction ends.
	LockPayment(ctx context.Context, id string) (Payment, error)
	// LockPaymentByRef is LockPayment by the provider's intent id.
	LockPaymentByRef(ctx context.Context, provider, ref string) (Payment, error)
	// SavePayment writes a payment's mutable fields.
	SavePayment(ctx context.Context, p Payment) error

	CreateRefund(ctx context.Context, r Refund) error
	// Refunds lists a payment's refunds, oldest first.
	Refunds(ctx context.Context, paymentID string) ([]Refund, error)

	// MarkWebhookEvent records a provider's event id as processed;
	// ErrDuplicate when it was already.
	MarkWebhookEvent(ctx context.Context, provider, eventID string, at time.Time) error

	// PutBusinessOwner records a business's owner (from business.created).
	PutBusinessOwner(ctx context.Context, businessID, ownerID string) error
	BusinessOwner(ctx context.Context, businessID string) (string, error)
}

// Events records events in the transaction ctx carries, so they are
// published if and only if it commits.
type Events interface {
	Record(ctx context.Context, aggregateID, eventType string, data any) (event.Envelope, error)
}
