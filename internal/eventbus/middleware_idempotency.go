package eventbus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Idempotent runs the handler in a transaction of db that first claims
// (consumer, event id) in the inbox. When the claim finds the event
// already processed, the handler is not called and the event counts as
// handled. Otherwise the handler runs with the transaction in its context
// (sqldb.TxFrom): its effects — and any outbox rows it adds — commit
// together with the inbox row, and its error rolls back both, so a later
// delivery tries again.
//
// On SQLite the database has one connection: a handler must write through
// the transaction, never through db directly.
func Idempotent(db *sqldb.DB, inbox InboxStore, now func() time.Time) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev event.Envelope) error {
			d, ok := DeliveryFrom(ctx)
			if !ok || d.Consumer == "" {
				return errors.New("idempotency: no consumer in context")
			}
			return db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
				first, err := inbox.Claim(ctx, tx, d.Consumer, ev.ID, now())
				if err != nil {
					return fmt.Errorf("idempotency: %w", err)
				}
				if !first {
					LoggerFrom(ctx).Debug("event already processed; skipped")
					return nil
				}
				return next(ctx, ev)
			})
		}
	}
}
