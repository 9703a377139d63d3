package faulttest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/natsembed/natstest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

const (
	envFault   = "SLOTWISE_FAULT"
	envChild   = "SLOTWISE_FAULT_CHILD"
	envDBURL   = "SLOTWISE_FAULT_DB_URL"
	envNATSURL = "SLOTWISE_FAULT_NATS_URL"
	envRound   = "SLOTWISE_FAULT_ROUND"
	aggregates = 10
	rounds     = 6
	service    = "faulty"
)

// TestMain turns the test binary into the crash-test child when asked.
func TestMain(m *testing.M) {
	if os.Getenv(envChild) == "1" {
		os.Exit(child())
	}
	os.Exit(m.Run())
}

// TestKillNineLosesNothing kills a writer+relay+consumer process with
// SIGKILL at a random point, several times, then checks the invariants.
func TestKillNineLosesNothing(t *testing.T) {
	if os.Getenv(envFault) != "1" {
		t.Skipf("fault suite: set %s=1", envFault)
	}
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		srv, _, js := natstest.StartWithStreams(t)
		dbURL := sqldbtest.URL(t, engine)
		db, err := sqldb.Open(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if err := migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		acked := map[string]int{} // event id -> number within its aggregate
		for round := 1; round <= rounds; round++ {
			for id, n := range runAndKill(t, srv.ClientURL(), dbURL, round) {
				acked[id] = n
			}
		}
		if len(acked) == 0 {
			t.Fatal("no write was acknowledged before the kills")
		}
		drain(t, srv.ClientURL(), dbURL)
		checkInvariants(t, js, db, acked)
	})
}

// runAndKill starts a child, lets it acknowledge a random number of writes
// and kills it with SIGKILL. It returns the event ids the child reported as
// committed.
func runAndKill(t *testing.T, natsURL, dbURL string, round int) map[string]int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"=1", envDBURL+"="+dbURL, envNATSURL+"="+natsURL, envRound+"="+strconv.Itoa(round))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killAfter := 100 + rand.IntN(400)
	acked := map[string]int{}
	sc := bufio.NewScanner(out)
	deadline := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "ACK" {
			n, _ := strconv.Atoi(f[2])
			acked[f[1]] = n
			if len(acked) == killAfter {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
	}
	_, _ = io.Copy(io.Discard, out)
	_ = cmd.Wait()
	if len(acked) < killAfter {
		t.Fatalf("round %d: child stopped after %d acks, before the kill", round, len(acked))
	}
	return acked
}

// drain runs a relay and a consumer in this process until the outbox is
// empty and the consumer has caught up.
func drain(t *testing.T, natsURL, dbURL string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := start(ctx, natsURL, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	eventbustest.AwaitCondition(t, time.Minute, "outbox drained", func() bool {
		st, err := p.outbox.Status(ctx)
		return err == nil && st.Pending+st.Failed == 0
	})
	durable := eventbus.Subscription{Service: service, Name: "effects"}.Durable()
	// Messages the killed children held unacknowledged come back after the
	// ack wait, so allow for that.
	eventbustest.AwaitCondition(t, time.Minute, durable+" to settle every message", func() bool {
		info := eventbustest.ConsumerInfo(t, p.js, eventbus.EventStream, durable)
		return info.NumPending == 0 && info.NumAckPending == 0
	})
}

func checkInvariants(t *testing.T, js jetstream.JetStream, db *sqldb.DB, acked map[string]int) {
	t.Helper()
	ctx := context.Background()
	events := eventbustest.StreamEvents(t, js)
	seen := map[string]int{}
	lastN := map[string]int{}
	for _, ev := range events {
		seen[ev.ID]++
		d, err := event.DataAs[event.BookingCreated](ev)
		if err != nil {
			t.Fatal(err)
		}
		agg, n := d.BusinessID, int(d.TotalAmount)
		if n <= lastN[agg] {
			t.Errorf("aggregate %s: event %d after %d in the stream", agg, n, lastN[agg])
		}
		lastN[agg] = n
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("event %s is in the stream %d times", id, c)
		}
	}
	for id := range acked {
		if seen[id] == 0 {
			t.Errorf("acknowledged event %s is not in the stream", id)
		}
	}
	var things, outboxRows int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM things").Scan(&things); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM outbox_events").Scan(&outboxRows); err != nil {
		t.Fatal(err)
	}
	if things != outboxRows || things != len(events) {
		t.Errorf("state rows %d, outbox rows %d, stream events %d: want all equal", things, outboxRows, len(events))
	}
	rows, err := db.QueryContext(ctx, "SELECT event_id, count(*) FROM effects GROUP BY event_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	applied := 0
	for rows.Next() {
		var id string
		var c int
		if err := rows.Scan(&id, &c); err != nil {
			t.Fatal(err)
		}
		applied++
		if c != 1 {
			t.Errorf("effect of %s applied %d times", id, c)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if applied != len(events) {
		t.Errorf("effects of %d events applied, stream has %d", applied, len(events))
	}
	t.Logf("%d events acknowledged before kills, %d in the stream, all applied once", len(acked), len(events))
}

// process is one writer+relay+consumer: what a service instance runs.
type process struct {
	db      *sqldb.DB
	nc      *nats.Conn
	js      jetstream.JetStream
	outbox  *eventbus.Outbox
	runtime *eventbus.Runtime
	relayed chan error
}

func migrate(ctx context.Context, db *sqldb.DB) error {
	if err := stores.Migrate(ctx, db); err != nil {
		return err
	}
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS things (id TEXT PRIMARY KEY, n INTEGER NOT NULL)",
		"CREATE TABLE IF NOT EXISTS effects (event_id TEXT NOT NULL, applied_by TEXT NOT NULL)",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func start(ctx context.Context, natsURL, dbURL string) (*process, error) {
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	nc, err := nats.Connect(natsURL, nats.MaxReconnects(-1))
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	cat := catalog.Default()
	m := eventbus.NewMetrics(nil)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := &process{db: db, nc: nc, js: js, relayed: make(chan error, 1)}
	p.outbox = eventbus.NewOutbox(db, stores.Outbox(db), service, cat, eventbus.OutboxOptions{})
	relay := eventbus.NewRelay(p.outbox, eventbus.JetStreamPublisher{JS: js}, m, log, eventbus.RelayConfig{})
	go func() { p.relayed <- relay.Run(ctx) }()
	p.runtime, err = eventbus.NewRuntime(eventbus.RuntimeConfig{
		JS: js, DB: db, Inbox: stores.Inbox(db), Catalog: cat, Metrics: m, Logger: log,
		Retry: eventbus.RetryPolicy{BaseDelay: 10 * time.Millisecond}, AckWait: 2 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	err = p.runtime.Subscribe(ctx, eventbus.Subscription{
		Service: service, Name: "effects", Types: []string{event.TypeBookingCreated},
		Handler: func(ctx context.Context, ev event.Envelope) error {
			_, err := sqldb.TxFrom(ctx).ExecContext(ctx, rebind(db, "INSERT INTO effects (event_id, applied_by) VALUES (?, ?)"), ev.ID, strconv.Itoa(os.Getpid()))
			return err
		},
	})
	return p, err
}

func (p *process) close() {
	_ = p.runtime.Stop(context.Background())
	p.nc.Close()
	_ = p.db.Close()
}

// child writes events until it is killed, printing "ACK <event id> <n>"
// after each commit.
func child() int {
	ctx := context.Background()
	p, err := start(ctx, os.Getenv(envNATSURL), os.Getenv(envDBURL))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	round := os.Getenv(envRound)
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		agg := fmt.Sprintf("agg-%d", i%aggregates)
		var id string
		var n int
		err := p.db.InTx(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			if err := tx.QueryRowContext(ctx, rebind(p.db, "SELECT count(*) FROM things WHERE id LIKE ?"), agg+"/%").Scan(&n); err != nil {
				return err
			}
			n++
			if _, err := tx.ExecContext(ctx, rebind(p.db, "INSERT INTO things (id, n) VALUES (?, ?)"), fmt.Sprintf("%s/%d", agg, n), n); err != nil {
				return err
			}
			ev, err := p.outbox.Record(ctx, agg, event.TypeBookingCreated, event.BookingCreated{
				BookingID: "bk-" + round + "-" + strconv.Itoa(i), BusinessID: agg, ServiceID: "svc", ClientID: "client",
				StartTime: time.Now().UTC(), EndTime: time.Now().UTC().Add(time.Hour), TotalAmount: float64(n), RequiresPayment: true,
			})
			id = ev.ID
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child write:", err)
			return 1
		}
		fmt.Fprintf(w, "ACK %s %d\n", id, n)
		if err := w.Flush(); err != nil {
			return 1
		}
	}
}

// rebind turns ? placeholders into $n for PostgreSQL.
func rebind(db *sqldb.DB, q string) string {
	if db.Engine != sqldb.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
