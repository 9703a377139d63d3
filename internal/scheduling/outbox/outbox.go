// Package outbox implements scheduling.Events on the event platform's
// transactional outbox: an event is recorded in the transaction the
// context carries (opened by the Store's Atomically or by the consumer's
// idempotency middleware), so it is published if and only if that commits.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// ErrNoTransaction is returned by Record outside a transaction.
var ErrNoTransaction = errors.New("scheduling events: no transaction in context")

// Events records the scheduling service's events in its outbox.
type Events struct{ o *eventbus.Outbox }

var _ scheduling.BatchEvents = Events{}

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

// RecordAll adds evs, events about aggregateID that occurred at at, to
// the transaction in ctx in one outbox write (one INSERT and one NOTIFY
// rather than one of each per event). Each envelope is built as
// eventbus.Outbox.Record builds one — the catalog's newest version of its
// type, the outbox's source, the correlation id of ctx or a new one —
// except that the time is at (the Service's clock, which the app shares
// with the outbox); Add validates each against the outbox's catalog.
func (e Events) RecordAll(ctx context.Context, aggregateID string, at time.Time, evs ...scheduling.PendingEvent) error {
	tx := sqldb.TxFrom(ctx)
	if tx == nil {
		return ErrNoTransaction
	}
	at = at.UTC().Truncate(time.Microsecond)
	corr := event.CorrelationID(ctx)
	if corr == "" {
		// One id for the batch, as the events of one change share it.
		corr = event.NewCorrelationID()
	}
	envs := make([]event.Envelope, len(evs))
	for i, p := range evs {
		version, ok := catalog.Default().Version(p.Type)
		if !ok {
			return fmt.Errorf("outbox record: %w %q", catalog.ErrUnknownType, p.Type)
		}
		ev, err := event.New(at, p.Type, version, e.o.Source(), corr, p.Data)
		if err != nil {
			return fmt.Errorf("outbox record: %w", err)
		}
		envs[i] = ev
	}
	return e.o.Add(ctx, tx, aggregateID, envs...)
}
