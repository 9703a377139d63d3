package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// OutboxStore is the outbox on SQLite, for one process with one relay:
// claims are serialised by a mutex, and a batch is read, published, and
// then marked in a short write transaction, so the single write connection
// is never held while waiting for JetStream. Instants are stored as integer
// Unix microseconds.
type OutboxStore struct {
	db *sqldb.DB
	mu sync.Mutex // one claim at a time
}

var _ eventbus.OutboxStore = (*OutboxStore)(nil)

// NewOutboxStore returns the outbox store of db.
func NewOutboxStore(db *sqldb.DB) *OutboxStore { return &OutboxStore{db: db} }

const insertOutbox = `
INSERT INTO outbox_events (event_id, event_type, event_version, source, correlation_id,
    occurred_at, aggregate_id, partition, event_data, traceparent, status, created_at)
VALUES `

// outboxRow is the VALUES of one row of insertOutbox.
const outboxRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`

// maxInsertRows bounds the rows of one INSERT, far below the engine's limit
// on a statement's parameters.
const maxInsertRows = 500

// outboxColumns is the number of parameters of outboxRow.
const outboxColumns = 11

// Insert writes recs as pending rows in tx, with one multi-row INSERT per
// maxInsertRows (the rows take their seq in the order of recs).
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
			micros(e.Timestamp), r.AggregateID, r.Partition, string(e.Data), r.Traceparent, micros(r.CreatedAt))
	}
	query := insertOutbox + strings.TrimSuffix(strings.Repeat(outboxRow+", ", len(recs)), ", ")
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		ids := make([]string, len(recs))
		for i, r := range recs {
			ids[i] = r.Event.ID
		}
		return fmt.Errorf("insert outbox event %s: %w", strings.Join(ids, ", "), err)
	}
	return nil
}

// Notify does nothing: SQLite has no notifications, and the relay of this
// process is woken by the transaction's after-commit hook.
func (s *OutboxStore) Notify(context.Context, *sqldb.Tx, string) error { return nil }

// Listen returns nil at once: there is no other process to hear from.
func (s *OutboxStore) Listen(context.Context, string, func()) error { return nil }

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
                          WHERE status = 'failed' AND next_attempt_at > ?)
 ORDER BY seq
 LIMIT ?`

// Claim publishes the due heads of every partition. See
// eventbus.OutboxStore.
func (s *OutboxStore) Claim(ctx context.Context, limit int, now time.Time, retryDelay func(int) time.Duration, publish eventbus.PublishFunc) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs, err := s.batch(ctx, limit, now)
	if err != nil {
		return 0, err
	}
	recs = eventbus.Claimable(recs, now)
	if len(recs) == 0 {
		return 0, nil
	}
	acked, perr := publish(ctx, recs)
	if err := s.mark(ctx, recs, acked, perr, now, retryDelay); err != nil {
		return 0, err
	}
	return len(recs), nil
}

// batch reads the first limit unpublished rows of the unblocked partitions.
func (s *OutboxStore) batch(ctx context.Context, limit int, now time.Time) ([]eventbus.OutboxRecord, error) {
	rows, err := s.db.QueryContext(ctx, selectBatch, micros(now), limit)
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
		data                 string
		occurred, created    int64
		published, nextRetry sql.NullInt64
	)
	e := &r.Event
	err := rows.Scan(&r.Seq, &e.ID, &e.Type, &e.Version, &e.Source, &e.CorrelationID, &occurred,
		&r.AggregateID, &r.Partition, &data, &r.Traceparent, &r.Status, &created,
		&published, &r.FailureReason, &r.RetryCount, &nextRetry)
	if err != nil {
		return r, err
	}
	e.Data = json.RawMessage(data)
	e.Timestamp = fromMicros(occurred)
	r.CreatedAt = fromMicros(created)
	r.PublishedAt = fromNullMicros(published)
	r.NextAttemptAt = fromNullMicros(nextRetry)
	return r, nil
}

// mark records the outcome of a publish in one short write transaction:
// recs[:acked] published, recs[acked] failed and scheduled for retry, the
// rest untouched. It runs to the end even when ctx is done, so what was
// acknowledged is not published twice.
func (s *OutboxStore) mark(ctx context.Context, recs []eventbus.OutboxRecord, acked int, perr error, now time.Time, retryDelay func(int) time.Duration) error {
	acked = max(0, min(acked, len(recs)))
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	return s.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if acked > 0 {
			if err := markPublished(ctx, tx, recs[:acked], now); err != nil {
				return err
			}
		}
		if acked == len(recs) {
			return nil
		}
		failed := recs[acked]
		_, err := tx.ExecContext(ctx, `UPDATE outbox_events
   SET status = 'failed', retry_count = retry_count + 1, failure_reason = ?, next_attempt_at = ?
 WHERE seq = ?`, eventbus.FailureReason(perr), micros(now.Add(retryDelay(failed.RetryCount))), failed.Seq)
		if err != nil {
			return fmt.Errorf("outbox mark failed: %w", err)
		}
		return nil
	})
}

// markTimeout bounds the marking transaction.
const markTimeout = 30 * time.Second

func markPublished(ctx context.Context, tx *sqldb.Tx, recs []eventbus.OutboxRecord, now time.Time) error {
	args := make([]any, 0, len(recs)+1)
	args = append(args, micros(now))
	for _, r := range recs {
		args = append(args, r.Seq)
	}
	q := `UPDATE outbox_events SET status = 'published', published_at = ?, next_attempt_at = NULL
 WHERE seq IN (?` + strings.Repeat(", ?", len(recs)-1) + `)`
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("outbox mark published: %w", err)
	}
	return nil
}

const outboxStatus = `
SELECT coalesce(sum(status = 'pending'), 0),
       coalesce(sum(status = 'failed'), 0),
       min(created_at)
  FROM outbox_events
 WHERE status <> 'published'`

// Status counts the unpublished rows.
func (s *OutboxStore) Status(ctx context.Context, now time.Time) (eventbus.OutboxStatus, error) {
	var st eventbus.OutboxStatus
	var oldest sql.NullInt64
	if err := s.db.QueryRowContext(ctx, outboxStatus).Scan(&st.Pending, &st.Failed, &oldest); err != nil {
		return st, fmt.Errorf("outbox status: %w", err)
	}
	if oldest.Valid {
		st.OldestPendingAge = max(0, now.Sub(fromMicros(oldest.Int64)))
	}
	return st, nil
}

// DeletePublished deletes the rows published before before.
func (s *OutboxStore) DeletePublished(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM outbox_events
 WHERE status = 'published' AND published_at < ?`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("outbox retention: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("outbox retention: %w", err)
	}
	return n, nil
}

// micros is t as integer Unix microseconds, the way SQLite stores instants.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func fromNullMicros(us sql.NullInt64) time.Time {
	if !us.Valid {
		return time.Time{}
	}
	return fromMicros(us.Int64)
}
