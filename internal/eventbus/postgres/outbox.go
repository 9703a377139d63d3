package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// NotifyChannel is the PostgreSQL channel on which committed outbox rows are
// announced; the payload is the service name.
const NotifyChannel = "slotwise_outbox"

// ListenerApplicationName is the application_name of the relay's LISTEN
// connection, to find it in pg_stat_activity.
const ListenerApplicationName = "slotwise-outbox-listener"

// OutboxStore is the outbox on PostgreSQL. Any number of relays, in any
// number of processes, may run against it: a batch is taken under the
// outbox's transaction-scoped advisory lock, held until its publish has
// been marked, so one relay publishes at a time and always in seq order;
// if it dies, its transaction and lock die with it and another takes over.
type OutboxStore struct {
	db *sqldb.DB
}

var _ eventbus.OutboxStore = (*OutboxStore)(nil)

// NewOutboxStore returns the outbox store of db.
func NewOutboxStore(db *sqldb.DB) *OutboxStore { return &OutboxStore{db: db} }

const insertOutbox = `
INSERT INTO outbox_events (event_id, event_type, event_version, source, correlation_id,
    occurred_at, aggregate_id, partition, event_data, traceparent, status, created_at)
VALUES `

// maxInsertRows bounds the rows of one INSERT, far below the engine's limit
// on a statement's parameters.
const maxInsertRows = 500

// outboxColumns is the number of parameters of one row of insertOutbox.
const outboxColumns = 11

// insertStatement returns insertOutbox with the VALUES of n rows.
func insertStatement(n int) string {
	var b strings.Builder
	b.WriteString(insertOutbox)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		p := i * outboxColumns
		fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d::jsonb, $%d, 'pending', $%d)",
			p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9, p+10, p+11)
	}
	return b.String()
}

// Insert writes recs as pending rows in tx, with one multi-row INSERT per
// maxInsertRows (one round trip for an ordinary transaction's events; the
// rows take their seq in the order of recs).
func (s *OutboxStore) Insert(ctx context.Context, tx *sqldb.Tx, recs []eventbus.OutboxRecord) error {
	for len(recs) > maxInsertRows {
		if err := s.Insert(ctx, tx, recs[:maxInsertRows]); err != nil {
			return err
		}
		recs = recs[maxInsertRows:]
	}
	if len(recs) == 0 {
		return nil
	}
	args := make([]any, 0, len(recs)*outboxColumns)
	for _, r := range recs {
		e := r.Event
		args = append(args, e.ID, e.Type, e.Version, e.Source, e.CorrelationID,
			e.Timestamp.UTC(), r.AggregateID, r.Partition, string(e.Data), r.Traceparent, r.CreatedAt.UTC())
	}
	if _, err := tx.ExecContext(ctx, insertStatement(len(recs)), args...); err != nil {
		return fmt.Errorf("insert outbox event %s: %w", recordIDs(recs), err)
	}
	return nil
}

// recordIDs names the events of recs for an error message.
func recordIDs(recs []eventbus.OutboxRecord) string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.Event.ID
	}
	return strings.Join(ids, ", ")
}

// Notify queues a NOTIFY on NotifyChannel with the service as payload; the
// server delivers it when tx commits (and drops it on rollback).
func (s *OutboxStore) Notify(ctx context.Context, tx *sqldb.Tx, service string) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, NotifyChannel, service); err != nil {
		return fmt.Errorf("outbox notify: %w", err)
	}
	return nil
}

// Listen holds a dedicated connection listening on NotifyChannel and calls
// wake for every notification naming service (and once after LISTEN, for
// rows committed before it). It returns nil when ctx is done and the
// connection's error otherwise; the caller reconnects.
func (s *OutboxStore) Listen(ctx context.Context, service string, wake func()) error {
	cfg, err := pgx.ParseConfig(s.db.URL)
	if err != nil {
		return fmt.Errorf("outbox listen: %w", err)
	}
	cfg.RuntimeParams["application_name"] = ListenerApplicationName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return ignoreDone(ctx, fmt.Errorf("outbox listen: connect: %w", err))
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx) // the session is over either way; its close error changes nothing
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+NotifyChannel); err != nil {
		return ignoreDone(ctx, fmt.Errorf("outbox listen: %w", err))
	}
	wake()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return ignoreDone(ctx, fmt.Errorf("outbox listen: %w", err))
		}
		if n.Payload == service {
			wake()
		}
	}
}

func ignoreDone(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// lockOutbox takes the outbox's transaction-scoped advisory lock, keyed by
// the table's schema so that outboxes in different schemas (services, tests)
// do not contend. One relay claims at a time; the others find it taken and
// wait for their next wake-up, so any number of relays in any number of
// processes publish every row once and each aggregate's rows in order.
// It also sets synchronous_commit off for the claim transaction. The lock
// must be its own statement: the batch is read by the next one, whose
// snapshot then includes the marks of the relay that held the lock before.
const lockOutbox = `
SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox_events')),
       set_config('synchronous_commit', 'off', true)`

// selectBatch reads the first unpublished rows of every partition whose
// head is due: a failed row is always its partition's head (the rows
// before it were published in the same mark), so a partition is blocked
// exactly when it has a failed row not yet due.
const selectBatch = `
SELECT seq, event_id, event_type, event_version, source, correlation_id, occurred_at,
       aggregate_id, partition, event_data, traceparent, status, created_at,
       published_at, failure_reason, retry_count, next_attempt_at
  FROM outbox_events
 WHERE status <> 'published'
   AND partition NOT IN (SELECT partition FROM outbox_events
                          WHERE status = 'failed' AND next_attempt_at > $1)
 ORDER BY seq
 LIMIT $2`

// Claim publishes the due heads of every partition, in one transaction
// under the outbox's advisory lock: read, publish, mark, commit. See
// eventbus.OutboxStore.
//
// The transaction commits with synchronous_commit off: a mark lost to a
// crash only makes the relay publish those rows again, which JetStream's
// duplicate window (and the consumers' inbox) absorbs — while the fsync it
// saves is a large part of a claim's cost.
func (s *OutboxStore) Claim(ctx context.Context, limit int, now time.Time, retryDelay func(int) time.Duration, publish eventbus.PublishFunc) (n int, err error) {
	// The marks must land even when ctx ends during the publish: what was
	// acknowledged is then not published twice.
	txCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), claimTxTimeout)
	defer cancel()
	tx, err := s.db.BeginTx(txCtx, nil)
	if err != nil {
		return 0, fmt.Errorf("outbox claim: begin: %w", err)
	}
	defer func() {
		if err != nil || n == 0 {
			if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
				err = errors.Join(err, fmt.Errorf("outbox claim: rollback: %w", rbErr))
			}
		}
	}()
	recs, err := lockBatch(txCtx, tx, limit, now)
	if err != nil {
		return 0, err
	}
	recs = eventbus.Claimable(recs, now)
	if len(recs) == 0 {
		return 0, nil
	}
	acked, perr := publish(ctx, recs)
	if err := markBatch(txCtx, tx, recs, acked, perr, now, retryDelay); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("outbox claim: commit: %w", err)
	}
	return len(recs), nil
}

// claimTxTimeout bounds a claim transaction, publish included.
const claimTxTimeout = time.Minute

// lockBatch takes the outbox lock and reads the first limit unpublished
// rows of the unblocked partitions; none when another relay holds the lock.
func lockBatch(ctx context.Context, tx *sql.Tx, limit int, now time.Time) ([]eventbus.OutboxRecord, error) {
	var locked bool
	var sync string
	if err := tx.QueryRowContext(ctx, lockOutbox).Scan(&locked, &sync); err != nil {
		return nil, fmt.Errorf("outbox claim: lock: %w", err)
	}
	if !locked {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, selectBatch, now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("outbox claim: %w", err)
	}
	defer rows.Close()
	var recs []eventbus.OutboxRecord
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("outbox claim: %w", err)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox claim: %w", err)
	}
	return recs, nil
}

func scanRecord(rows *sql.Rows) (eventbus.OutboxRecord, error) {
	var (
		r                    eventbus.OutboxRecord
		data                 []byte
		published, nextRetry sql.NullTime
	)
	e := &r.Event
	err := rows.Scan(&r.Seq, &e.ID, &e.Type, &e.Version, &e.Source, &e.CorrelationID, &e.Timestamp,
		&r.AggregateID, &r.Partition, &data, &r.Traceparent, &r.Status, &r.CreatedAt,
		&published, &r.FailureReason, &r.RetryCount, &nextRetry)
	if err != nil {
		return r, err
	}
	e.Data = json.RawMessage(data)
	e.Timestamp = e.Timestamp.UTC()
	r.CreatedAt = r.CreatedAt.UTC()
	if published.Valid {
		r.PublishedAt = published.Time.UTC()
	}
	if nextRetry.Valid {
		r.NextAttemptAt = nextRetry.Time.UTC()
	}
	return r, nil
}

// markBatch records the outcome of a publish: recs[:acked] published,
// recs[acked] failed and scheduled for retry, the rest untouched.
func markBatch(ctx context.Context, tx *sql.Tx, recs []eventbus.OutboxRecord, acked int, perr error, now time.Time, retryDelay func(int) time.Duration) error {
	acked = max(0, min(acked, len(recs)))
	if acked > 0 {
		seqs := make([]int64, acked)
		for i, r := range recs[:acked] {
			seqs[i] = r.Seq
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox_events
   SET status = 'published', published_at = $1, next_attempt_at = NULL
 WHERE seq = ANY($2)`, now.UTC(), seqs)
		if err != nil {
			return fmt.Errorf("outbox mark published: %w", err)
		}
	}
	if acked == len(recs) {
		return nil
	}
	failed := recs[acked]
	_, err := tx.ExecContext(ctx, `UPDATE outbox_events
   SET status = 'failed', retry_count = retry_count + 1, failure_reason = $1, next_attempt_at = $2
 WHERE seq = $3`, eventbus.FailureReason(perr), now.Add(retryDelay(failed.RetryCount)).UTC(), failed.Seq)
	if err != nil {
		return fmt.Errorf("outbox mark failed: %w", err)
	}
	return nil
}

const outboxStatus = `
SELECT count(*) FILTER (WHERE status = 'pending'),
       count(*) FILTER (WHERE status = 'failed'),
       min(created_at)
  FROM outbox_events
 WHERE status <> 'published'`

// Status counts the unpublished rows.
func (s *OutboxStore) Status(ctx context.Context, now time.Time) (eventbus.OutboxStatus, error) {
	var st eventbus.OutboxStatus
	var oldest sql.NullTime
	if err := s.db.QueryRowContext(ctx, outboxStatus).Scan(&st.Pending, &st.Failed, &oldest); err != nil {
		return st, fmt.Errorf("outbox status: %w", err)
	}
	if oldest.Valid {
		st.OldestPendingAge = max(0, now.Sub(oldest.Time))
	}
	return st, nil
}

// DeletePublished deletes the rows published before before.
func (s *OutboxStore) DeletePublished(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM outbox_events
 WHERE status = 'published' AND published_at < $1`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("outbox retention: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("outbox retention: %w", err)
	}
	return n, nil
}
