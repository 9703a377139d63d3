package notification

import (
	"context"
	"time"

	"github.com/slotwise/slotwise/internal/event"
)

// Store is the notification service's persistence: its projections, the
// delivery ledger, the reminder schedule and the webhooks. Every method
// joins the transaction ctx carries (see Atomically); a method returns
// ErrNotFound for a missing row.
type Store interface {
	// Atomically runs fn in one transaction (or in the one ctx already
	// carries).
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error

	PutRecipient(ctx context.Context, r Recipient) error
	Recipient(ctx context.Context, id string) (Recipient, error)
	PutBusiness(ctx context.Context, b Business) error
	Business(ctx context.Context, id string) (Business, error)
	PutOffering(ctx context.Context, o Offering) error
	Offering(ctx context.Context, id string) (Offering, error)
	PutBooking(ctx context.Context, b Booking) error
	Booking(ctx context.Context, id string) (Booking, error)

	// Delivery returns the ledger row of key.
	Delivery(ctx context.Context, key DeliveryKey) (Delivery, error)
	// PutDelivery inserts d, or updates the row of d.Key (its id and
	// creation time stay).
	PutDelivery(ctx context.Context, d Delivery) error
	// Deliveries lists the ledger, oldest first, of recipientID ("" for
	// all).
	Deliveries(ctx context.Context, recipientID string) ([]Delivery, error)

	// ReplaceReminders drops the booking's scheduled reminders and adds rs.
	ReplaceReminders(ctx context.Context, bookingID string, rs []Reminder) error
	// Reminders lists a booking's reminders ("" for all), by due time.
	Reminders(ctx context.Context, bookingID string) ([]Reminder, error)
	// ClaimDueReminder returns the earliest scheduled reminder due at now,
	// locked until the transaction ends and skipped by other claimers
	// (FOR UPDATE SKIP LOCKED); ErrNotFound when none is due. It must run
	// in a transaction.
	ClaimDueReminder(ctx context.Context, now time.Time) (Reminder, error)
	UpdateReminder(ctx context.Context, r Reminder) error

	// QueueMessage inserts q unless a message of the same source, kind and
	// address is queued already (a replayed event); it reports whether it
	// inserted.
	QueueMessage(ctx context.Context, q QueuedMessage) (bool, error)
	// QueuedMessages lists the queue of recipientID ("" for all), oldest
	// first.
	QueuedMessages(ctx context.Context, recipientID string) ([]QueuedMessage, error)
	// ClaimDueQueuedMessage returns the earliest waiting message due at
	// now, locked and skipped by other claimers (FOR UPDATE SKIP LOCKED);
	// ErrNotFound when none. It must run in a transaction.
	ClaimDueQueuedMessage(ctx context.Context, now time.Time) (QueuedMessage, error)
	// UpdateQueuedMessage writes q's status, due time, attempts and last
	// error.
	UpdateQueuedMessage(ctx context.Context, q QueuedMessage) error

	CreateWebhook(ctx context.Context, w Webhook) error
	Webhook(ctx context.Context, businessID, id string) (Webhook, error)
	// Webhooks lists a business's webhooks, oldest first.
	Webhooks(ctx context.Context, businessID string) ([]Webhook, error)
	DeleteWebhook(ctx context.Context, businessID, id string) error
	// AddWebhookDelivery inserts d unless the webhook already has a
	// delivery of the event; it reports whether it inserted.
	AddWebhookDelivery(ctx context.Context, d WebhookDelivery) (bool, error)
	WebhookDelivery(ctx context.Context, webhookID, id string) (WebhookDelivery, error)
	// WebhookDeliveries lists a webhook's deliveries, newest first, with
	// their attempts.
	WebhookDeliveries(ctx context.Context, webhookID string) ([]WebhookDelivery, error)
	// ClaimDueWebhookDelivery returns the earliest pending delivery due at
	// now, locked and skipped by other claimers; ErrNotFound when none.
	ClaimDueWebhookDelivery(ctx context.Context, now time.Time) (WebhookDelivery, error)
	// UpdateWebhookDelivery writes d's state (status, attempts, next
	// attempt, last result).
	UpdateWebhookDelivery(ctx context.Context, d WebhookDelivery) error
	AddWebhookAttempt(ctx context.Context, a WebhookAttempt) error
}

// Events records events in the transaction ctx carries, so they are
// published if and only if it commits (the app passes its
// *eventbus.Outbox). Record returns the envelope recorded.
type Events interface {
	Record(ctx context.Context, aggregateID, eventType string, data any) (event.Envelope, error)
}
