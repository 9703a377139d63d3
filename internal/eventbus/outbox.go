package eventbus

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Outbox row statuses (the seed's pending | published | failed). A failed
// row is not stranded: it is retried once its NextAttemptAt has passed.
const (
	StatusPending   = "pending"
	StatusPublished = "published"
	StatusFailed    = "failed"
)

// OutboxRecord is one row of the outbox_events table: an event waiting to be
// published (or published), with what the relay needs to publish it in order.
type OutboxRecord struct {
	// Seq orders the rows: the relay publishes a partition in Seq order.
	Seq int64
	// Event is the envelope as it will be published.
	Event event.Envelope
	// AggregateID is the entity the event is about; its events keep their
	// order because they share a partition.
	AggregateID string
	// Partition is fnv32a(AggregateID) % partitions.
	Partition int
	// Traceparent is the W3C trace context to send with the event, or "".
	Traceparent   string
	Status        string
	CreatedAt     time.Time
	PublishedAt   time.Time // zero until published
	FailureReason string    // the last failure, "" when none
	RetryCount    int
	NextAttemptAt time.Time // when a failed row is due again; zero when pending
}

// Due reports whether the row, as the head of its partition, may be
// published at now: it is pending, or failed and its retry has come due.
func (r OutboxRecord) Due(now time.Time) bool {
	return r.Status == StatusPending || !r.NextAttemptAt.After(now)
}

// maxFailureReason bounds the failure_reason stored with a row.
const maxFailureReason = 1000

// FailureReason is the failure_reason stored for a publish error: its text,
// cut to a bounded length ("not acknowledged" for a nil error).
func FailureReason(err error) string {
	if err == nil {
		return "not acknowledged"
	}
	s := err.Error()
	if len(s) > maxFailureReason {
		s = strings.ToValidUTF8(s[:maxFailureReason], "")
	}
	return s
}

// OutboxStatus is the backlog of one service's outbox.
type OutboxStatus struct {
	Service string
	// Pending and Failed count the unpublished rows by status.
	Pending, Failed int64
	// OldestPendingAge is the age of the oldest unpublished row (0 when
	// none).
	OldestPendingAge time.Duration
}

// PublishFunc publishes recs, in order, and returns how many of them, from
// the first, were acknowledged. err explains why acked < len(recs).
type PublishFunc func(ctx context.Context, recs []OutboxRecord) (acked int, err error)

// OutboxStore is the outbox table of one database engine. The store owns
// locking and transactions; the relay owns publishing.
type OutboxStore interface {
	// Insert writes recs (status pending) in the caller's transaction.
	// Seq, Status and the publishing fields of recs are ignored.
	Insert(ctx context.Context, tx *sqldb.Tx, recs []OutboxRecord) error
	// Notify tells relays of service in other processes, once tx commits,
	// that there is something to publish (PostgreSQL NOTIFY; a no-op where
	// the engine has no such thing).
	Notify(ctx context.Context, tx *sqldb.Tx, service string) error
	// Listen calls wake whenever another process notifies service, until
	// ctx is done; it reconnects on errors and returns nil at the end. On
	// an engine without notifications it returns nil at once.
	Listen(ctx context.Context, service string, wake func()) error
	// Claim takes the due heads of every partition it can hold — at most
	// limit unpublished rows in Seq order, where each partition's first is
	// pending or failed and due at now — so that no other relay publishes
	// those partitions meanwhile, and hands them (filtered by Claimable) to
	// publish. It then marks the acked prefix published, the first unacked
	// row failed (retry_count+1, failure_reason, and next_attempt_at = now +
	// retryDelay(previous retry_count)) and leaves the rest. A partition
	// whose head is failed and not yet due is skipped entirely, so an
	// aggregate's events never overtake each other. n is the number of rows
	// handed to publish: 0 means nothing is due. A publish failure is
	// recorded in the row, not returned.
	Claim(ctx context.Context, limit int, now time.Time, retryDelay func(retryCount int) time.Duration, publish PublishFunc) (n int, err error)
	// Status counts the unpublished rows at now (Service is left empty).
	Status(ctx context.Context, now time.Time) (OutboxStatus, error)
	// DeletePublished deletes the rows published before before and returns
	// how many.
	DeletePublished(ctx context.Context, before time.Time) (int64, error)
}

// DefaultPartitions is the number of outbox partitions when OutboxOptions
// does not say.
const DefaultPartitions = 16

// OutboxOptions configure an Outbox.
type OutboxOptions struct {
	// Clock returns the current time (default time.Now).
	Clock func() time.Time
	// Partitions is how many ordered lanes the relays publish in parallel
	// (default DefaultPartitions). Changing it moves aggregates between
	// lanes: only do so with an empty outbox.
	Partitions int
}

// Outbox records a service's events in its database, in the transaction of
// the state change they describe. It never publishes: a Relay does.
type Outbox struct {
	db         *sqldb.DB
	store      OutboxStore
	service    string
	cat        *catalog.Catalog
	clock      func() time.Time
	partitions int
	wake       chan struct{}
}

// NewOutbox returns the outbox of service in db.
func NewOutbox(db *sqldb.DB, store OutboxStore, service string, cat *catalog.Catalog, opts OutboxOptions) *Outbox {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Partitions <= 0 {
		opts.Partitions = DefaultPartitions
	}
	return &Outbox{
		db:         db,
		store:      store,
		service:    service,
		cat:        cat,
		clock:      opts.Clock,
		partitions: opts.Partitions,
		wake:       make(chan struct{}, 1),
	}
}

// Service returns the name of the service whose outbox this is.
func (o *Outbox) Service() string { return o.service }

// Source returns the envelope source of the service's events, e.g.
// "scheduling-service".
func (o *Outbox) Source() string { return o.service + "-service" }

// ErrEngineMismatch is returned by Add for a transaction of another engine
// than the outbox's database.
var ErrEngineMismatch = errors.New("outbox: transaction is of another database engine")

// Add records evs, events about aggregateID, in tx. Each envelope is first
// validated against the catalog: an invalid one fails the whole call with
// the catalog's error (naming the field) and nothing is written. The relay
// is woken once tx commits.
func (o *Outbox) Add(ctx context.Context, tx *sqldb.Tx, aggregateID string, evs ...event.Envelope) error {
	if len(evs) == 0 {
		return nil
	}
	if tx == nil {
		return errors.New("outbox add: no transaction")
	}
	if o.db != nil && tx.Engine != o.db.Engine {
		return fmt.Errorf("outbox add: %w", ErrEngineMismatch)
	}
	if aggregateID == "" {
		return errors.New("outbox add: empty aggregate id")
	}
	for _, ev := range evs {
		if err := o.cat.Validate(ev); err != nil {
			return fmt.Errorf("outbox add %s %s: %w", ev.Type, ev.ID, err)
		}
	}
	recs := o.records(ctx, aggregateID, evs)
	if err := o.store.Insert(ctx, tx, recs); err != nil {
		return fmt.Errorf("outbox add: %w", err)
	}
	if err := o.store.Notify(ctx, tx, o.service); err != nil {
		return fmt.Errorf("outbox add: %w", err)
	}
	tx.AfterCommit(o.signal)
	return nil
}

// records builds the rows of evs.
func (o *Outbox) records(ctx context.Context, aggregateID string, evs []event.Envelope) []OutboxRecord {
	traceparent := ""
	if tc, ok := event.Trace(ctx); ok {
		traceparent = tc.Child().String()
	}
	now := o.clock().UTC()
	part := Partition(aggregateID, o.partitions)
	recs := make([]OutboxRecord, len(evs))
	for i, ev := range evs {
		recs[i] = OutboxRecord{
			Event:       ev,
			AggregateID: aggregateID,
			Partition:   part,
			Traceparent: traceparent,
			Status:      StatusPending,
			CreatedAt:   now,
		}
	}
	return recs
}

// Record builds an event of eventType (at the catalog's newest version, the
// outbox clock's time, the service as source and the correlation id of ctx
// or a new one) with data, and Adds it to the transaction ctx carries (see
// sqldb.TxFrom). It returns the envelope recorded. Services record their
// events through it (or RecordAll): they need no adapter of their own.
func (o *Outbox) Record(ctx context.Context, aggregateID, eventType string, data any) (event.Envelope, error) {
	evs, err := o.RecordAll(ctx, aggregateID, event.Draft{Type: eventType, Data: data})
	if err != nil {
		return event.Envelope{}, err
	}
	return evs[0], nil
}

// ErrNoTransaction is returned by Record and RecordAll for a context that
// carries no transaction.
var ErrNoTransaction = errors.New("outbox record: no transaction in context")

// RecordAll records drafts, events about aggregateID, in order and in one
// outbox write (one INSERT, one NOTIFY) in the transaction ctx carries.
// Each envelope is built as Record builds one; the events of one call share
// the correlation id of ctx, or one new id. Nothing is written unless every
// event is valid.
func (o *Outbox) RecordAll(ctx context.Context, aggregateID string, drafts ...event.Draft) ([]event.Envelope, error) {
	tx := sqldb.TxFrom(ctx)
	if tx == nil {
		return nil, ErrNoTransaction
	}
	// Microseconds: what both engines store, so the envelope returned is
	// the one published.
	now := o.clock().UTC().Truncate(time.Microsecond)
	corr := event.CorrelationID(ctx)
	if corr == "" {
		corr = event.NewCorrelationID()
	}
	evs := make([]event.Envelope, len(drafts))
	for i, d := range drafts {
		version, ok := o.cat.Version(d.Type)
		if !ok {
			return nil, fmt.Errorf("outbox record: %w %q", catalog.ErrUnknownType, d.Type)
		}
		ev, err := event.New(now, d.Type, version, o.Source(), corr, d.Data)
		if err != nil {
			return nil, fmt.Errorf("outbox record: %w", err)
		}
		evs[i] = ev
	}
	if err := o.Add(ctx, tx, aggregateID, evs...); err != nil {
		return nil, err
	}
	return evs, nil
}

// Status returns the outbox backlog now.
func (o *Outbox) Status(ctx context.Context) (OutboxStatus, error) {
	st, err := o.store.Status(ctx, o.clock())
	if err != nil {
		return OutboxStatus{}, fmt.Errorf("outbox status %s: %w", o.service, err)
	}
	st.Service = o.service
	return st, nil
}

// Now returns the outbox clock's time.
func (o *Outbox) Now() time.Time { return o.clock() }

// Committed is signalled (without blocking; one pending signal at most)
// after a transaction that added events commits in this process: the
// relay's wake-up.
func (o *Outbox) Committed() <-chan struct{} { return o.wake }

// Listen calls wake whenever another process commits events to this
// service's outbox, until ctx is done (see OutboxStore.Listen).
func (o *Outbox) Listen(ctx context.Context, wake func()) error {
	return o.store.Listen(ctx, o.service, wake)
}

// Claim takes and publishes a batch of due rows at the outbox clock's
// time (see OutboxStore.Claim).
func (o *Outbox) Claim(ctx context.Context, limit int, retryDelay func(retryCount int) time.Duration, publish PublishFunc) (int, error) {
	return o.store.Claim(ctx, limit, o.clock(), retryDelay, publish)
}

// DeletePublished deletes the rows published before before.
func (o *Outbox) DeletePublished(ctx context.Context, before time.Time) (int64, error) {
	return o.store.DeletePublished(ctx, before)
}

// signal wakes this process's relay without blocking: one pending wake-up
// is enough, the relay publishes everything due when it wakes.
func (o *Outbox) signal() { poke(o.wake) }

// Partition returns the outbox partition of an aggregate: fnv32a(id) % n.
func Partition(aggregateID string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(aggregateID))
	return int(h.Sum32() % uint32(n))
}

// Claimable returns the rows of a claimed batch (in Seq order) that may be
// published now: a partition whose head is a retry contributes that row
// alone — if it fails again, no later event of its partition has gone out
// ahead of it — and a partition whose head is not yet due contributes
// nothing.
func Claimable(recs []OutboxRecord, now time.Time) []OutboxRecord {
	out := recs[:0:0]
	type state struct{ alone, blocked bool }
	seen := map[int]state{}
	for _, r := range recs {
		st, ok := seen[r.Partition]
		if !ok {
			st = state{blocked: !r.Due(now), alone: r.RetryCount > 0}
			seen[r.Partition] = st
			if !st.blocked {
				out = append(out, r)
			}
			continue
		}
		if !st.blocked && !st.alone {
			out = append(out, r)
		}
	}
	return out
}
