package eventbus

import (
	"context"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
)

// InboxStore records which events each consumer has processed: the
// idempotency middleware claims (consumer, event id) in the transaction that
// applies the handler's effects, so an event delivered twice takes effect
// once. Implementations live per engine in packages postgres and sqlite.
type InboxStore interface {
	// Claim records the event as processed by consumer inside tx. first is
	// false when it was recorded before (by a committed transaction); the
	// row disappears again if tx rolls back.
	Claim(ctx context.Context, tx *sqldb.Tx, consumer, eventID string, now time.Time) (first bool, err error)
	// DeleteBefore removes the records of events processed before the given
	// instant and returns how many it removed. Keep them longer than any
	// redelivery can take (the stream's duplicate window and the retries).
	DeleteBefore(ctx context.Context, before time.Time) (int64, error)
}
