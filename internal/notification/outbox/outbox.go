// Package outbox implements notification.Events on the event platform's
// transactional outbox: an event is recorded in the transaction the
// context carries (opened by the Store's Atomically or by the consumer's
// idempotency middleware), so it is published if and only if that commits.
package outbox

import (
	"context"
	"errors"

	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// ErrNoTransaction is returned by Record outside a transaction.
var ErrNoTransaction = errors.New("notification events: no transaction in context")

// Events records the notification service's events in its outbox.
type Events struct{ o *eventbus.Outbox }

// New returns Events on o.
func New(o *eventbus.Outbox) Events { return Events{o: o} }

// Record adds an event of eventType about aggregateID to the transaction
// in ctx.
func (e Events) Record(ctx context.Context, aggregateID, eventType string, data any) error {
	tx := sqldb.TxFrom(ctx)
	if tx == nil {
		return ErrNoTransaction
	}
	_, err := e.o.Record(ctx, tx, aggregateID, eventType, data)
	return err
}
