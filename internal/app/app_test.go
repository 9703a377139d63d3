package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/httpapi"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// platformMetricNames must show on /metrics from the first scrape.
var platformMetricNames = []string{
	"slotwise_events_published_total",
	"slotwise_event_processing_seconds",
	"slotwise_events_failed_total",
	"slotwise_dlq_messages",
	"slotwise_consumer_pending",
	"slotwise_outbox_pending",
	"slotwise_outbox_oldest_pending_seconds",
}

func testConfig(t *testing.T, dataDir string) Config {
	t.Helper()
	c := Defaults()
	c.DataDir = dataDir
	c.HTTPAddr = "127.0.0.1:0"
	c.RelayInterval = 50 * time.Millisecond
	c.LagInterval = 50 * time.Millisecond
	c.RetryBaseDelay = 10 * time.Millisecond
	c.RetryMaxDelay = 50 * time.Millisecond
	c.ShutdownTimeout = 15 * time.Second
	return c
}

// engineConfig points every service at a fresh database of engine.
func engineConfig(t *testing.T, engine sqldb.Engine) Config {
	t.Helper()
	c := testConfig(t, t.TempDir())
	if engine == sqldb.Postgres {
		c.DatabaseURLs = map[string]string{}
		for _, s := range ModuleNames() {
			c.DatabaseURLs[s] = sqldbtest.URL(t, engine)
		}
	}
	return c
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// startApp starts an App, shut down at cleanup unless the test did.
func startApp(t *testing.T, cfg Config) *App {
	t.Helper()
	a, err := New(cfg, testLogger(t))
	if err != nil {
		t.Fatalf("new: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { shutdown(t, a) })
	return a
}

func shutdown(t *testing.T, a *App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := a.Shutdown(ctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

func get(t *testing.T, a *App, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + a.HTTPAddr() + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAppServesPlatformEndpoints(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		cfg := engineConfig(t, engine)
		a := startApp(t, cfg)

		if code, body := get(t, a, "/healthz"); code != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
			t.Errorf("healthz = %d %s", code, body)
		}
		if code, body := get(t, a, "/readyz"); code != 200 || strings.TrimSpace(body) != `{"status":"ready"}` {
			t.Errorf("readyz = %d %s", code, body)
		}
		code, body := get(t, a, "/no/such/page")
		var e httpapi.ErrorBody
		if code != 404 || json.Unmarshal([]byte(body), &e) != nil || e.Error.Code != "not_found" {
			t.Errorf("unknown path = %d %s, want 404 with a JSON not_found error", code, body)
		}
		code, body = get(t, a, "/metrics")
		if code != 200 {
			t.Fatalf("metrics = %d", code)
		}
		for _, name := range append(platformMetricNames, "go_goroutines", "process_open_fds") {
			if !strings.Contains(body, "# TYPE "+name+" ") {
				t.Errorf("/metrics lacks %s", name)
			}
		}
		if !strings.Contains(body, `slotwise_outbox_pending{service="scheduling"} 0`) {
			t.Errorf("/metrics lacks the per-service outbox series")
		}
		assertFile(t, filepath.Join(cfg.DataDir, HTTPAddrFile), a.HTTPAddr())
		assertFile(t, filepath.Join(cfg.DataDir, NATSURLFile), a.NATSURL())

		shutdown(t, a)
		for _, f := range []string{HTTPAddrFile, NATSURLFile} {
			if _, err := os.Stat(filepath.Join(cfg.DataDir, f)); !os.IsNotExist(err) {
				t.Errorf("%s still there after shutdown (err %v)", f, err)
			}
		}
	})
}

func assertFile(t *testing.T, path, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if got := strings.TrimSpace(string(b)); got != want || want == "" {
		t.Errorf("%s = %q, want %q", path, got, want)
	}
}

func readyFailing(t *testing.T, a *App) map[string]string {
	t.Helper()
	code, body := get(t, a, "/readyz")
	var rb readyBody
	if err := json.Unmarshal([]byte(body), &rb); err != nil {
		t.Fatalf("readyz body %q: %v", body, err)
	}
	if code != http.StatusServiceUnavailable || rb.Status != "not ready" {
		t.Fatalf("readyz = %d %s, want 503 not ready", code, body)
	}
	return rb.Failing
}

func TestReadyzNamesAClosedDatabase(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	for _, s := range a.services {
		if s.mod.Name == "scheduling" {
			if err := s.db.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	failing := readyFailing(t, a)
	if len(failing) != 1 || !strings.Contains(failing["db:scheduling"], "closed") {
		t.Errorf("failing = %v, want only db:scheduling (closed)", failing)
	}
}

func TestReadyzNamesAMissingStream(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	ctx := context.Background()
	if err := a.js.DeleteStream(ctx, eventbus.DLQStream); err != nil {
		t.Fatal(err)
	}
	failing := readyFailing(t, a)
	if _, ok := failing["stream:"+eventbus.DLQStream]; !ok || len(failing) != 1 {
		t.Errorf("failing = %v, want only stream:%s", failing, eventbus.DLQStream)
	}
}

func TestReadyzNamesNATS(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	a.nc.Close()
	failing := readyFailing(t, a)
	if !strings.Contains(failing["nats"], "not connected") {
		t.Errorf("failing = %v, want nats not connected", failing)
	}
}

// withModules replaces the module table for one test.
func withModules(t *testing.T, ms []Module) {
	t.Helper()
	saved := modules
	modules = ms
	t.Cleanup(func() { modules = saved })
}

// received collects the events a test module's handler saw.
type received struct {
	mu  sync.Mutex
	ids []string
}

func (r *received) handle(_ context.Context, ev event.Envelope) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, ev.ID)
	return nil
}

func (r *received) has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range r.ids {
		if x == id {
			return true
		}
	}
	return false
}

func (r *received) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ids)
}

// TestModulesAreWiredAndStateSurvivesRestart: an event a module records
// in its outbox reaches another module's subscription and route, and the
// event log, the durable consumer and the databases survive a restart on
// the same data dir.
func TestModulesAreWiredAndStateSurvivesRestart(t *testing.T) {
	var got received
	withModules(t, []Module{
		{Name: "auth", New: func(d Deps) (Instance, error) {
			return Instance{Routes: func(r *httpapi.Router) {
				r.HandleFunc("GET", "/auth/ping", func(w http.ResponseWriter, _ *http.Request) {
					writeJSON(w, 200, map[string]string{"service": d.Service})
				})
			}}, nil
		}},
		{Name: "notification", New: func(Deps) (Instance, error) {
			return Instance{Subscriptions: []eventbus.Subscription{{Name: "users", Types: []string{event.TypeUserCreated}, Handler: got.handle}}}, nil
		}},
	})
	cfg := testConfig(t, t.TempDir())
	cfg.Services = ModuleNames()
	a := startApp(t, cfg)
	if code, body := get(t, a, "/auth/ping"); code != 200 || !strings.Contains(body, `"auth"`) {
		t.Errorf("module route = %d %s", code, body)
	}
	first := recordUser(t, a, "user_1")
	waitFor(t, "the subscription to receive the first event", func() bool { return got.has(first) })
	shutdown(t, a)

	b := startApp(t, cfg)
	if code, _ := get(t, b, "/readyz"); code != 200 {
		t.Fatalf("readyz after restart = %d", code)
	}
	second := recordUser(t, b, "user_2")
	waitFor(t, "the subscription to receive the second event", func() bool { return got.has(second) })
	info, err := b.js.Stream(context.Background(), eventbus.EventStream)
	if err != nil {
		t.Fatal(err)
	}
	if n := info.CachedInfo().State.Msgs; n != 2 {
		t.Errorf("event log holds %d events after restart, want 2", n)
	}
	if n := got.count(); n != 2 {
		t.Errorf("handler ran %d times, want 2 (no redelivery after restart)", n)
	}
}

// recordUser records a user.created in auth's outbox and returns its id.
func recordUser(t *testing.T, a *App, userID string) string {
	t.Helper()
	s := a.services[0]
	var ev event.Envelope
	err := s.db.InTx(context.Background(), func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		ev, err = s.outbox.Record(ctx, userID, event.TypeUserCreated, event.UserCreated{
			UserID: userID, Email: userID + "@example.com", FirstName: "Ada", LastName: "Lovelace", Role: "client",
		})
		return err
	})
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	return ev.ID
}

func TestStartFailsCleanlyOnBusyHTTPPort(t *testing.T) {
	a := startApp(t, testConfig(t, t.TempDir()))
	cfg := testConfig(t, t.TempDir())
	cfg.HTTPAddr = a.HTTPAddr()
	b, err := New(cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	err = b.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "start http") {
		t.Fatalf("start on a busy port: %v, want a start http error", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, NATSURLFile)); !os.IsNotExist(err) {
		t.Errorf("nats.url left behind after a failed start (err %v)", err)
	}
}

// TestSecondProcessOnOneDataDirIsRefused: two processes must never share an
// embedded NATS store and SQLite files.
func TestSecondProcessOnOneDataDirIsRefused(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	startApp(t, cfg)
	second, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = second.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "in use by another slotwise process") {
		t.Fatalf("second start: %v, want the data dir refused", err)
	}
}

func TestCorrelationIDIsEchoedOrMade(t *testing.T) {
	h := withCorrelation(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := event.Trace(r.Context()); !ok {
			t.Error("no trace context in the request context")
		}
		_, _ = w.Write([]byte(event.CorrelationID(r.Context())))
	}))
	for _, tt := range []struct{ name, in string }{{"given is kept", "corr_client-42"}, {"missing is made", ""}, {"garbage is replaced", "a b\nc"}} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			if tt.in != "" {
				req.Header.Set(HeaderCorrelationID, tt.in)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Body.String()
			if got == "" || rec.Header().Get(HeaderCorrelationID) != got {
				t.Fatalf("context has %q, header %q", got, rec.Header().Get(HeaderCorrelationID))
			}
			if validCorrelationID(tt.in) != (got == tt.in) {
				t.Fatalf("in %q, got %q", tt.in, got)
			}
		})
	}
}
