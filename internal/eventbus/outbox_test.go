package eventbus_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/natsembed/natstest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

const testService = "scheduling"

// manualClock is a clock the test moves.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func newManualClock() *manualClock {
	return &manualClock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// migratedDB opens a fresh database of the engine with the platform's
// tables.
func migratedDB(t *testing.T, engine sqldb.Engine) *sqldb.DB {
	t.Helper()
	db := sqldbtest.Open(t, engine)
	if err := stores.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

func newOutbox(db *sqldb.DB, clock func() time.Time) *eventbus.Outbox {
	return eventbus.NewOutbox(db, stores.Outbox(db), testService, catalog.Default(),
		eventbus.OutboxOptions{Clock: clock})
}

// bookingCreated is valid booking.created data; the booking id carries the
// aggregate and a sequence number so tests can check order.
func bookingCreated(aggregate string, n int) event.BookingCreated {
	start := time.Date(2025, 4, 1, 14, 0, 0, 0, time.UTC)
	return event.BookingCreated{
		BookingID: fmt.Sprintf("%s/%05d", aggregate, n), BusinessID: "biz_101", ServiceID: "svc_202",
		ClientID: "client_404", StartTime: start, EndTime: start.Add(time.Hour),
		TotalAmount: 150, RequiresPayment: true,
	}
}

// record commits one booking.created event about aggregate.
func record(t testing.TB, db *sqldb.DB, o *eventbus.Outbox, aggregate string, n int) event.Envelope {
	t.Helper()
	var ev event.Envelope
	err := db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		ev, err = o.Record(ctx, aggregate, event.TypeBookingCreated, bookingCreated(aggregate, n))
		return err
	})
	if err != nil {
		t.Fatalf("record %s #%d: %v", aggregate, n, err)
	}
	return ev
}

func outboxStatus(t testing.TB, o *eventbus.Outbox) eventbus.OutboxStatus {
	t.Helper()
	st, err := o.Status(context.Background())
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return st
}

// twoAggregates returns aggregate ids of different partitions.
func twoAggregates(t testing.TB) (string, string) {
	t.Helper()
	for i := 1; i < 100; i++ {
		b := fmt.Sprintf("booking_b%d", i)
		if eventbus.Partition("booking_a", eventbus.DefaultPartitions) != eventbus.Partition(b, eventbus.DefaultPartitions) {
			return "booking_a", b
		}
	}
	t.Fatal("no second partition found")
	return "", ""
}

// claimed collects what a store hands to publish and acks a fixed prefix.
type claimed struct {
	recs  []eventbus.OutboxRecord
	acked int
	err   error
}

func (c *claimed) publish(_ context.Context, recs []eventbus.OutboxRecord) (int, error) {
	c.recs = recs
	return min(c.acked, len(recs)), c.err
}

func ids(recs []eventbus.OutboxRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Event.ID
	}
	return out
}

func envIDs(evs []event.Envelope) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func constDelay(d time.Duration) func(int) time.Duration { return func(int) time.Duration { return d } }

// TestOutboxStoreConformance is the store suite every engine runs.
func TestOutboxStoreConformance(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		cases := []struct {
			name string
			run  func(t *testing.T, db *sqldb.DB, o *eventbus.Outbox, store eventbus.OutboxStore, clock *manualClock)
		}{
			{"hands a partition over in seq order and marks only the acked prefix", testClaimOrderAndPrefix},
			{"retries a failed row after its delay, recording retry count and reason", testClaimRetry},
			{"a failed head blocks only its own partition", testFailedHeadBlocksPartition},
			{"claims at most limit rows", testClaimLimit},
			{"status counts the backlog and its age", testStatus},
			{"retention deletes only rows published before the cutoff", testRetention},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				db := migratedDB(t, engine)
				clock := newManualClock()
				c.run(t, db, newOutbox(db, clock.Now), stores.Outbox(db), clock)
			})
		}
	})
}

func testClaimOrderAndPrefix(t *testing.T, db *sqldb.DB, o *eventbus.Outbox, store eventbus.OutboxStore, clock *manualClock) {
	ctx := context.Background()
	var want []string
	for i := range 5 {
		want = append(want, record(t, db, o, "booking_1", i).ID)
	}
	c := &claimed{acked: 3, err: errors.New("boom")}
	n, err := store.Claim(ctx, 100, clock.Now(), constDelay(time.Second), c.publish)
	if err != nil || n != 5 {
		t.Fatalf("claim = %d, %v; want 5, nil", n, err)
	}
	if got := ids(c.recs); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("claimed %v, want %v", got, want)
	}
	for _, r := range c.recs {
		if r.Status != eventbus.StatusPending || r.AggregateID != "booking_1" || r.Event.Source != "scheduling-service" {
			t.Fatalf("claimed row %+v", r)
		}
	}
	// 3 published, #4 failed, #5 untouched.
	if st := outboxStatus(t, o); st.Pending != 1 || st.Failed != 1 {
		t.Fatalf("status = %+v, want 1 pending and 1 failed", st)
	}
}

func testClaimRetry(t *testing.T, db *sqldb.DB, o *eventbus.Outbox, store eventbus.OutboxStore, clock *manualClock) {
	ctx := context.Background()
	first := record(t, db, o, "booking_1", 0)
	second := record(t, db, o, "booking_1", 1)
	now := clock.Now()
	c := &claimed{acked: 0, err: errors.New("nats: no responders")}
	if _, err := store.Claim(ctx, 100, now, constDelay(time.Minute), c.publish); err != nil {
		t.Fatalf("claim: %v", err)
	}
	c = &claimed{acked: 2}
	if n, err := store.Claim(ctx, 100, now.Add(time.Minute-time.Microsecond), constDelay(time.Minute), c.publish); err != nil || n != 0 {
		t.Fatalf("claim before the retry is due = %d, %v; want 0", n, err)
	}
	var delays []int
	delay := func(retries int) time.Duration { delays = append(delays, retries); return time.Minute }
	c = &claimed{acked: 0, err: errors.New("still down")}
	if n, err := store.Claim(ctx, 100, now.Add(time.Minute), delay, c.publish); err != nil || n != 1 {
		t.Fatalf("claim when due = %d, %v; want 1 (a retry goes out alone)", n, err)
	}
	head := c.recs[0]
	if head.Event.ID != first.ID || head.Status != eventbus.StatusFailed || head.RetryCount != 1 ||
		head.FailureReason != "nats: no responders" || !head.NextAttemptAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("retried head = %+v", head)
	}
	if fmt.Sprint(delays) != "[1]" {
		t.Fatalf("retry delay asked for %v retries, want [1]", delays)
	}
	c = &claimed{acked: 1}
	if n, err := store.Claim(ctx, 100, now.Add(3*time.Minute), delay, c.publish); err != nil || n != 1 {
		t.Fatalf("third claim = %d, %v; want 1", n, err)
	}
	if c.recs[0].RetryCount != 2 || c.recs[0].FailureReason != "still down" {
		t.Fatalf("head after two failures = %+v", c.recs[0])
	}
	c = &claimed{acked: 1}
	if n, err := store.Claim(ctx, 100, now.Add(3*time.Minute), delay, c.publish); err != nil || n != 1 {
		t.Fatalf("claim after the retry succeeded = %d, %v; want the second row", n, err)
	}
	if c.recs[0].Event.ID != second.ID || c.recs[0].Status != eventbus.StatusPending {
		t.Fatalf("second row = %+v", c.recs[0])
	}
	if st := outboxStatus(t, o); st.Pending != 0 || st.Failed != 0 {
		t.Fatalf("status after success = %+v, want empty", st)
	}
	if n, err := store.Claim(ctx, 100, now.Add(time.Hour), delay, c.publish); err != nil || n != 0 {
		t.Fatalf("claim with nothing due = %d, %v", n, err)
	}
}

func testFailedHeadBlocksPartition(t *testing.T, db *sqldb.DB, o *eventbus.Outbox, store eventbus.OutboxStore, clock *manualClock) {
	ctx := context.Background()
	a, b := twoAggregates(t)
	record(t, db, o, a, 0)
	record(t, db, o, a, 1)
	now := clock.Now()
	// Fail a's head (a is the only partition with rows).
	if _, err := store.Claim(ctx, 100, now, constDelay(time.Minute), (&claimed{err: errors.New("x")}).publish); err != nil {
		t.Fatal(err)
	}
	evB := record(t, db, o, b, 0)
	c := &claimed{acked: 1}
	if n, err := store.Claim(ctx, 100, now, constDelay(time.Minute), c.publish); err != nil || n != 1 {
		t.Fatalf("claim = %d, %v; want b's one row", n, err)
	}
	if c.recs[0].Event.ID != evB.ID {
		t.Fatalf("claimed %v, want b's event", ids(c.recs))
	}
	c = &claimed{acked: 100}
	if n, err := store.Claim(ctx, 100, now, constDelay(time.Minute), c.publish); err != nil || n != 0 {
		t.Fatalf("claim = %d (%v), %v; a's pending row behind its failed head must wait", n, ids(c.recs), err)
	}
}

func testClaimLimit(t *testing.T, db *sqldb.DB, o *eventbus.Outbox, store eventbus.OutboxStore, clock *manualClock) {
	ctx := context.Background()
	var want []string
	for i := range 5 {
		want = append(want, record(t, db, o, "booking_1", i).ID)
	}
	var got []string
	for {
		c := &claimed{acked: 2}
		n, err := store.Claim(ctx, 2, clock.Now(), constDelay(time.Second), c.publish)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if n > 2 {
			t.Fatalf("claimed %d rows with limit 2", n)
		}
		got = append(got, ids(c.recs)...)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("published %v, want %v", got, want)
	}
}

func testStatus(t *testing.T, db *sqldb.DB, o *eventbus.Outbox, store eventbus.OutboxStore, clock *manualClock) {
	ctx := context.Background()
	if st := outboxStatus(t, o); st != (eventbus.OutboxStatus{Service: testService}) {
		t.Fatalf("empty outbox status = %+v", st)
	}
	a, b := twoAggregates(t)
	record(t, db, o, a, 0)
	clock.Advance(30 * time.Second)
	record(t, db, o, b, 0)
	record(t, db, o, b, 1)
	clock.Advance(60 * time.Second)
	c := &claimed{err: errors.New("down")}
	for {
		n, err := store.Claim(ctx, 100, clock.Now(), constDelay(time.Hour), c.publish)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	want := eventbus.OutboxStatus{Service: testService, Pending: 1, Failed: 2, OldestPendingAge: 90 * time.Second}
	if st := outboxStatus(t, o); st != want {
		t.Fatalf("status = %+v, want %+v", st, want)
	}
}

func testRetention(t *testing.T, db *sqldb.DB, o *eventbus.Outbox, store eventbus.OutboxStore, clock *manualClock) {
	ctx := context.Background()
	a, b := twoAggregates(t)
	record(t, db, o, a, 0)
	record(t, db, o, a, 1)
	publishedAt := clock.Now()
	if n, err := store.Claim(ctx, 100, publishedAt, constDelay(time.Second), (&claimed{acked: 2}).publish); err != nil || n != 2 {
		t.Fatalf("claim = %d, %v", n, err)
	}
	record(t, db, o, b, 0) // stays pending
	if n, err := store.DeletePublished(ctx, publishedAt); err != nil || n != 0 {
		t.Fatalf("delete published before %v = %d, %v; want 0", publishedAt, n, err)
	}
	if n, err := store.DeletePublished(ctx, publishedAt.Add(time.Millisecond)); err != nil || n != 2 {
		t.Fatalf("delete published after = %d, %v; want 2", n, err)
	}
	var rows int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM outbox_events`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if st := outboxStatus(t, o); rows != 1 || st.Pending != 1 {
		t.Fatalf("after retention: %d rows, status %+v; want the pending row kept", rows, st)
	}
}

// TestOutboxAddCommitsWithTheStateChange: the event is published if and
// only if the transaction that wrote it commits.
func TestOutboxAddCommitsWithTheStateChange(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx := context.Background()
		db := migratedDB(t, engine)
		if _, err := db.ExecContext(ctx, `CREATE TABLE things (id TEXT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		_, _, js := natstest.StartWithStreams(t)
		o := newOutbox(db, time.Now)
		startRelay(t, eventbus.NewRelay(o, eventbus.JetStreamPublisher{JS: js}, nil, nil, fastRelay()))

		trace := event.NewTrace()
		tctx := event.WithTrace(event.WithCorrelationID(ctx, "corr_test"), trace)
		addThing := func(id string, fail error) (event.Envelope, error) {
			var ev event.Envelope
			err := db.InTx(tctx, func(ctx context.Context, tx *sqldb.Tx) error {
				if _, err := db.Exec(ctx, `INSERT INTO things (id) VALUES (?)`, id); err != nil {
					return err
				}
				var err error
				if ev, err = o.Record(ctx, id, event.TypeBookingCreated, bookingCreated(id, 0)); err != nil {
					return err
				}
				return fail
			})
			return ev, err
		}
		rollback := errors.New("changed my mind")
		rolledBack, err := addThing("thing_rolled_back", rollback)
		if !errors.Is(err, rollback) {
			t.Fatalf("InTx = %v, want the rollback", err)
		}
		committed, err := addThing("thing_committed", nil)
		if err != nil {
			t.Fatal(err)
		}
		eventbustest.AwaitCondition(t, 10*time.Second, "the committed event in the stream", func() bool {
			return eventbustest.StreamMsgCount(t, js, eventbus.EventStream) >= 1
		})
		var things []string
		rows, err := db.QueryContext(ctx, `SELECT id FROM things`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			things = append(things, id)
		}
		if fmt.Sprint(things) != "[thing_committed]" {
			t.Fatalf("things = %v, want only the committed one", things)
		}
		msgs := eventbustest.StreamMessages(t, js, eventbus.EventStream)
		if len(msgs) != 1 {
			t.Fatalf("stream holds %d messages, want 1", len(msgs))
		}
		m := msgs[0]
		ev, err := eventbus.DecodeEnvelope(m.Data())
		if err != nil {
			t.Fatal(err)
		}
		if ev.ID != committed.ID || ev.ID == rolledBack.ID || m.Subject() != "slotwise.booking.created" {
			t.Fatalf("published %s on %s, want %s", ev.ID, m.Subject(), committed.ID)
		}
		if err := catalog.Default().ValidateJSON(m.Data()); err != nil {
			t.Fatalf("published event invalid: %v", err)
		}
		h := m.Headers()
		if h.Get("Nats-Msg-Id") != ev.ID || h.Get(event.HeaderCorrelationID) != "corr_test" ||
			ev.CorrelationID != "corr_test" || h.Get(event.HeaderSource) != "scheduling-service" {
			t.Fatalf("headers %v of %+v", h, ev)
		}
		tp, err := event.ParseTraceparent(h.Get(event.HeaderTraceparent))
		if err != nil || tp.TraceID != trace.TraceID || tp.SpanID == trace.SpanID {
			t.Fatalf("traceparent %q (%v), want a child span of %s", h.Get(event.HeaderTraceparent), err, trace)
		}
		if !ev.Timestamp.Equal(committed.Timestamp) || string(ev.Data) == "" {
			t.Fatalf("published %+v, recorded %+v", ev, committed)
		}
	})
}

// TestOutboxAddRejectsInvalidEvent: an event the catalog rejects fails Add
// with the catalog's error and writes nothing, not even its valid
// companions.
func TestOutboxAddRejectsInvalidEvent(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx := context.Background()
		db := migratedDB(t, engine)
		o := newOutbox(db, time.Now)
		valid, err := event.New(time.Now(), event.TypeBookingCreated, "1.0", o.Source(), "", bookingCreated("booking_1", 0))
		if err != nil {
			t.Fatal(err)
		}
		data := map[string]any{"businessId": "biz_101"} // no bookingId, …
		invalid, err := event.New(time.Now(), event.TypeBookingCreated, "1.0", o.Source(), "", data)
		if err != nil {
			t.Fatal(err)
		}
		var addErr, recordErr, unknownErr error
		// The transaction commits: whatever Add wrote would stay.
		err = db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			addErr = o.Add(ctx, tx, "booking_1", valid, invalid)
			_, recordErr = o.Record(ctx, "booking_1", event.TypeBookingCreated, data)
			_, unknownErr = o.Record(ctx, "booking_1", "booking.teleported", data)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, err := range []error{addErr, recordErr} {
			if !errors.Is(err, catalog.ErrInvalid) || !strings.Contains(fmt.Sprint(err), "/data") ||
				!strings.Contains(fmt.Sprint(err), "bookingId") {
				t.Fatalf("error = %v, want catalog.ErrInvalid naming /data and bookingId", err)
			}
		}
		if !errors.Is(unknownErr, catalog.ErrUnknownType) {
			t.Fatalf("unknown type error = %v", unknownErr)
		}
		if st := outboxStatus(t, o); st.Pending != 0 || st.Failed != 0 {
			t.Fatalf("status = %+v, want nothing written", st)
		}
	})
}

func TestOutboxRecordAllWritesOneBatchInTheContextTransaction(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx := context.Background()
		db := migratedDB(t, engine)
		o := newOutbox(db, time.Now)
		if _, err := o.Record(ctx, "booking_1", event.TypeBookingCreated, bookingCreated("booking_1", 0)); !errors.Is(err, eventbus.ErrNoTransaction) {
			t.Fatalf("outside a transaction: %v, want ErrNoTransaction", err)
		}
		var evs []event.Envelope
		err := db.InTx(ctx, func(ctx context.Context, _ *sqldb.Tx) error {
			var err error
			evs, err = o.RecordAll(ctx, "booking_1",
				event.Draft{Type: event.TypeBookingCreated, Data: bookingCreated("booking_1", 0)},
				event.Draft{Type: event.TypeBookingConfirmed, Data: event.BookingConfirmed{BookingID: "booking_1", BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_1", StartTime: time.Now().UTC(), EndTime: time.Now().UTC().Add(time.Hour)}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || evs[0].CorrelationID == "" || evs[0].CorrelationID != evs[1].CorrelationID ||
			evs[0].Source != o.Source() || evs[1].Version == "" {
			t.Fatalf("envelopes = %+v", evs)
		}
		if st := outboxStatus(t, o); st.Pending != 2 {
			t.Fatalf("status = %+v, want 2 pending", st)
		}
		// One invalid draft: nothing of the batch is written.
		_ = db.InTx(ctx, func(ctx context.Context, _ *sqldb.Tx) error {
			_, err = o.RecordAll(ctx, "booking_2",
				event.Draft{Type: event.TypeBookingCreated, Data: bookingCreated("booking_2", 0)},
				event.Draft{Type: event.TypeBookingConfirmed, Data: map[string]string{}})
			return nil
		})
		if !errors.Is(err, catalog.ErrInvalid) {
			t.Fatalf("invalid batch: %v", err)
		}
		if st := outboxStatus(t, o); st.Pending != 2 {
			t.Fatalf("status = %+v, want still 2 pending", st)
		}
	})
}

func TestClaimable(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := func(seq int64, part, retries int, next time.Time) eventbus.OutboxRecord {
		status := eventbus.StatusPending
		if retries > 0 {
			status = eventbus.StatusFailed
		}
		return eventbus.OutboxRecord{Seq: seq, Partition: part, RetryCount: retries, Status: status, NextAttemptAt: next}
	}
	tests := []struct {
		name string
		in   []eventbus.OutboxRecord
		want []int64
	}{
		{"pending partitions go out whole", []eventbus.OutboxRecord{rec(1, 0, 0, time.Time{}), rec(2, 1, 0, time.Time{}), rec(3, 0, 0, time.Time{})}, []int64{1, 2, 3}},
		{"a due retry goes out alone", []eventbus.OutboxRecord{rec(1, 0, 1, now), rec(2, 1, 0, time.Time{}), rec(3, 0, 0, time.Time{})}, []int64{1, 2}},
		{"a retry not yet due blocks its partition", []eventbus.OutboxRecord{rec(1, 0, 1, now.Add(time.Second)), rec(2, 1, 0, time.Time{}), rec(3, 0, 0, time.Time{})}, []int64{2}},
		{"nothing claimed, nothing out", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, r := range eventbus.Claimable(tt.in, now) {
				got = append(got, r.Seq)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("claimable %v, want %v", got, tt.want)
			}
		})
	}
}
