package eventbus_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/eventbus/postgres"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/natsembed/natstest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// fastRelay is a relay configuration with test-sized delays.
func fastRelay() eventbus.RelayConfig {
	return eventbus.RelayConfig{
		PollInterval:   50 * time.Millisecond,
		RetryBase:      10 * time.Millisecond,
		RetryMax:       100 * time.Millisecond,
		PublishTimeout: 300 * time.Millisecond,
		FlushTimeout:   2 * time.Second,
	}
}

// startRelay runs r until the test ends and checks that Run returns nil.
func startRelay(t testing.TB, r *eventbus.Relay) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("relay run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("relay did not stop")
		}
	})
}

// assertExactlyOnceInOrder checks that the stream holds each of want once
// and, per aggregate, in the order recorded (booking ids are
// "<aggregate>/<n>").
func assertExactlyOnceInOrder(t *testing.T, js jetstream.JetStream, want []event.Envelope) {
	t.Helper()
	got := eventbustest.StreamEvents(t, js)
	if len(got) != len(want) {
		t.Fatalf("stream holds %d events, want %d", len(got), len(want))
	}
	seen := map[string]bool{}
	for _, ev := range got {
		if seen[ev.ID] {
			t.Fatalf("event %s twice in the stream", ev.ID)
		}
		seen[ev.ID] = true
	}
	for _, ev := range want {
		if !seen[ev.ID] {
			t.Fatalf("event %s missing from the stream", ev.ID)
		}
	}
	last := map[string]string{}
	for _, ev := range got {
		data, err := event.DataAs[event.BookingCreated](ev)
		if err != nil {
			t.Fatal(err)
		}
		agg, _, _ := strings.Cut(data.BookingID, "/")
		if prev, ok := last[agg]; ok && prev >= data.BookingID {
			t.Fatalf("aggregate %s out of order in the stream: %s after %s", agg, data.BookingID, prev)
		}
		last[agg] = data.BookingID
	}
}

// TestRelayRepublishesWhatWasNotMarked: a relay that stops after
// publishing and before marking leaves its rows unpublished; the next relay
// publishes them again and JetStream keeps each event once.
func TestRelayRepublishesWhatWasNotMarked(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx := context.Background()
		db := migratedDB(t, engine)
		_, _, js := natstest.StartWithStreams(t)
		o := newOutbox(db, time.Now)
		var want []event.Envelope
		for i := range 3 {
			want = append(want, record(t, db, o, "booking_1", i))
		}
		stopped := errors.New("relay stopped before marking")
		publishThenStop := func(ctx context.Context, recs []eventbus.OutboxRecord) (int, error) {
			for _, r := range recs {
				msg, err := eventbus.NewMsg(r.Event, r.Traceparent)
				if err != nil {
					return 0, err
				}
				if _, err := js.PublishMsg(ctx, msg); err != nil {
					return 0, err
				}
			}
			return 0, stopped
		}
		n, err := stores.Outbox(db).Claim(ctx, 100, time.Now(), constDelay(0), publishThenStop)
		if err != nil || n != 3 {
			t.Fatalf("claim = %d, %v", n, err)
		}
		if got := eventbustest.StreamMsgCount(t, js, eventbus.EventStream); got != 3 {
			t.Fatalf("stream holds %d after the first publish, want 3", got)
		}
		if st := outboxStatus(t, o); st.Pending+st.Failed != 3 {
			t.Fatalf("status = %+v, want all 3 unpublished", st)
		}

		m := eventbus.NewMetrics(nil)
		startRelay(t, eventbus.NewRelay(o, eventbus.JetStreamPublisher{JS: js}, m, nil, fastRelay()))
		eventbustest.AwaitCondition(t, 10*time.Second, "the outbox to drain", func() bool {
			st := outboxStatus(t, o)
			return st.Pending == 0 && st.Failed == 0
		})
		if got := testutil.ToFloat64(m.Published.WithLabelValues(event.TypeBookingCreated)); got != 3 {
			t.Fatalf("relay acked %v publishes, want 3 (re-published)", got)
		}
		assertExactlyOnceInOrder(t, js, want)
	})
}

// TestRelaySurvivesNATSOutage: events written while NATS is down wait in
// the outbox (retried, counted) and are all published, once and in order,
// when it is back.
func TestRelaySurvivesNATSOutage(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		ctx := context.Background()
		db := migratedDB(t, engine)
		dir := t.TempDir()
		srv := natstest.StartDir(t, dir, "127.0.0.1:0")
		u, err := url.Parse(srv.ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		_, js := natstest.Connect(t, srv)
		if err := eventbus.EnsureStreams(ctx, js, eventbus.StreamConfig{Domains: catalog.Default().Domains()}); err != nil {
			t.Fatal(err)
		}
		o := newOutbox(db, time.Now)
		m := eventbus.NewMetrics(nil)
		startRelay(t, eventbus.NewRelay(o, eventbus.JetStreamPublisher{JS: js}, m, nil, fastRelay()))

		srv.Shutdown()
		var want []event.Envelope
		for i := range 10 {
			for a := range 5 {
				want = append(want, record(t, db, o, fmt.Sprintf("booking_%d", a), i))
			}
		}
		eventbustest.AwaitCondition(t, 10*time.Second, "retries while NATS is down", func() bool {
			var retries int
			if err := db.QueryRowContext(ctx, `SELECT max(retry_count) FROM outbox_events`).Scan(&retries); err != nil {
				t.Fatal(err)
			}
			return retries >= 2
		})
		st := outboxStatus(t, o)
		if st.Pending+st.Failed != 50 || st.Failed == 0 || st.OldestPendingAge <= 0 {
			t.Fatalf("status while NATS is down = %+v, want a backlog of 50 with failures", st)
		}
		eventbustest.AwaitCondition(t, 5*time.Second, "the backlog gauge", func() bool {
			return testutil.ToFloat64(m.OutboxPending.WithLabelValues(testService)) > 0
		})
		if testutil.ToFloat64(m.PublishFailed.WithLabelValues(testService)) == 0 {
			t.Fatal("no publish failure counted")
		}

		natstest.StartDir(t, dir, u.Host)
		eventbustest.AwaitCondition(t, 20*time.Second, "the backlog to be published", func() bool {
			st := outboxStatus(t, o)
			return st.Pending == 0 && st.Failed == 0
		})
		assertExactlyOnceInOrder(t, js, want)
		eventbustest.AwaitCondition(t, 5*time.Second, "the backlog gauge to drop", func() bool {
			return testutil.ToFloat64(m.OutboxPending.WithLabelValues(testService)) == 0
		})
	})
}

// TestTwoRelaysOnOnePostgres: two relays (as two processes: own pools, own
// NATS connections) publish 10,000 events of 100 aggregates written
// concurrently, each exactly once and in order per aggregate.
func TestTwoRelaysOnOnePostgres(t *testing.T) {
	dbURL := sqldbtest.URL(t, sqldb.Postgres)
	ctx := context.Background()
	srv, _, _ := natstest.StartWithStreams(t)
	type process struct {
		db *sqldb.DB
		o  *eventbus.Outbox
		m  *eventbus.Metrics
	}
	procs := make([]process, 2)
	for i := range procs {
		db, err := sqldb.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if err := stores.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		_, js := natstest.Connect(t, srv)
		procs[i] = process{db: db, o: newOutbox(db, time.Now), m: eventbus.NewMetrics(nil)}
		cfg := fastRelay()
		cfg.PublishTimeout = 5 * time.Second
		startRelay(t, eventbus.NewRelay(procs[i].o, eventbus.JetStreamPublisher{JS: js}, procs[i].m, nil, cfg))
	}

	const writers, aggregatesPerWriter, eventsPerAggregate, perTx = 10, 10, 100, 5
	var (
		mu   sync.Mutex
		want []event.Envelope
		wg   sync.WaitGroup
	)
	errs := make(chan error, writers)
	for w := range writers {
		p := procs[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < eventsPerAggregate; i += perTx {
				for a := range aggregatesPerWriter {
					agg := fmt.Sprintf("booking_%02d_%02d", w, a)
					evs, err := recordMany(p.db, p.o, agg, i, perTx)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					want = append(want, evs...)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := writers * aggregatesPerWriter * eventsPerAggregate
	_, js := natstest.Connect(t, srv)
	eventbustest.AwaitCondition(t, 40*time.Second, "all events in the stream", func() bool {
		return eventbustest.StreamMsgCount(t, js, eventbus.EventStream) >= uint64(total)
	})
	eventbustest.AwaitCondition(t, 10*time.Second, "the outbox to drain", func() bool {
		st := outboxStatus(t, procs[0].o)
		return st.Pending == 0 && st.Failed == 0
	})
	assertExactlyOnceInOrder(t, js, want)
	// JetStream would drop a second publish of an event: count the acks to
	// see that no row was published twice.
	var acked, failed []float64
	for _, p := range procs {
		acked = append(acked, testutil.ToFloat64(p.m.Published.WithLabelValues(event.TypeBookingCreated)))
		failed = append(failed, testutil.ToFloat64(p.m.PublishFailed.WithLabelValues(testService)))
	}
	t.Logf("acked per relay %v, failures %v", acked, failed)
	if acked[0]+acked[1] != float64(total) || failed[0]+failed[1] != 0 {
		t.Fatalf("relays acked %v publishes with %v failures, want %d in all and none failed", acked, failed, total)
	}
}

// recordMany commits n events of aggregate, numbered from first, in one
// transaction.
func recordMany(db *sqldb.DB, o *eventbus.Outbox, aggregate string, first, n int) ([]event.Envelope, error) {
	var evs []event.Envelope
	err := db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
		evs = evs[:0]
		for i := first; i < first+n; i++ {
			ev, err := o.Record(ctx, aggregate, event.TypeBookingCreated, bookingCreated(aggregate, i))
			if err != nil {
				return err
			}
			evs = append(evs, ev)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record %s: %w", aggregate, err)
	}
	return evs, nil
}

// TestRelayWakesUpOnCommit: with polling at one minute, a committed event
// is published at once — woken by NOTIFY from another process on
// PostgreSQL, by the in-process signal on SQLite.
func TestRelayWakesUpOnCommit(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		db := migratedDB(t, engine)
		_, _, js := natstest.StartWithStreams(t)
		relayOutbox := newOutbox(db, time.Now)
		cfg := fastRelay()
		cfg.PollInterval = time.Minute
		relay := eventbus.NewRelay(relayOutbox, eventbus.JetStreamPublisher{JS: js}, nil, nil, cfg)
		startRelay(t, relay)

		// On PostgreSQL the writer is another process: its own pool and
		// outbox, so only NOTIFY can reach the relay.
		writerDB, writer := db, relayOutbox
		if engine == sqldb.Postgres {
			var err error
			if writerDB, err = sqldb.Open(context.Background(), db.URL); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = writerDB.Close() })
			writer = newOutbox(writerDB, time.Now)
		}
		for i := range 3 {
			if i == 2 && engine == sqldb.Postgres {
				reconnectListener(t, db)
			}
			// Only a relay that finished its pass and waits proves the
			// wake-up: count first, then check it waits.
			eventbustest.AwaitCondition(t, 5*time.Second, fmt.Sprintf("the relay to wait after %d events", i), func() bool {
				return eventbustest.StreamMsgCount(t, js, eventbus.EventStream) == uint64(i) && eventbus.RelayWaiting(relay)
			})
			record(t, writerDB, writer, "booking_1", i)
			eventbustest.AwaitCondition(t, 5*time.Second, fmt.Sprintf("event %d published", i), func() bool {
				return eventbustest.StreamMsgCount(t, js, eventbus.EventStream) == uint64(i+1)
			})
		}
	})
}

// reconnectListener terminates the relays' LISTEN connections to db's
// database and waits until a new one listens.
func reconnectListener(t *testing.T, db *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	listeners := func() map[int]bool {
		rows, err := db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity
 WHERE application_name = $1 AND datname = current_database() AND query LIKE 'LISTEN%'`, postgres.ListenerApplicationName)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		pids := map[int]bool{}
		for rows.Next() {
			var pid int
			if err := rows.Scan(&pid); err != nil {
				t.Fatal(err)
			}
			pids[pid] = true
		}
		return pids
	}
	var old map[int]bool
	eventbustest.AwaitCondition(t, 5*time.Second, "a listener", func() bool { old = listeners(); return len(old) > 0 })
	for pid := range old {
		if _, err := db.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
			t.Fatal(err)
		}
	}
	eventbustest.AwaitCondition(t, 5*time.Second, "a new listener", func() bool {
		for pid := range listeners() {
			if !old[pid] {
				return true
			}
		}
		return false
	})
}
