package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
)

// The end-to-end tests build the real binary and run it as a user would:
// on a free port, with a temporary data dir.

var platformMetricNames = []string{
	"slotwise_events_published_total",
	"slotwise_event_processing_seconds",
	"slotwise_events_failed_total",
	"slotwise_dlq_messages",
	"slotwise_consumer_pending",
	"slotwise_outbox_pending",
	"slotwise_outbox_oldest_pending_seconds",
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/slotwise once per test process.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "slotwise-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "slotwise")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/slotwise/slotwise/cmd/slotwise").CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath)) // best effort: a temp dir
	}
	os.Exit(code)
}

// result is a finished command.
type result struct {
	code           int
	stdout, stderr string
}

// slotwise runs the binary to completion with extra environment variables.
func slotwise(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Env = append(cleanEnv(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("slotwise %v: %v", args, err)
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// cleanEnv is the test's environment without SLOTWISE_* variables.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLOTWISE_") {
			out = append(out, kv)
		}
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is a running `slotwise run`.
type server struct {
	cmd     *exec.Cmd
	logs    *syncBuffer
	done    chan struct{}
	addr    string
	waitErr error
}

// startServer starts `slotwise run` on dataDir and waits until /readyz
// answers 200.
func startServer(t *testing.T, dataDir string) *server {
	t.Helper()
	cmd := exec.Command(binary(t), "run", "--data-dir", dataDir, "--http", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = cleanEnv()
	s := &server{cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("slotwise run logs:\n%s", s.logs.String())
		}
	})
	waitFor(t, s, "http.addr", func() bool {
		b, err := os.ReadFile(filepath.Join(dataDir, "http.addr"))
		s.addr = strings.TrimSpace(string(b))
		return err == nil && s.addr != ""
	})
	waitFor(t, s, "/readyz 200", func() bool {
		code, _ := httpGet(s.addr, "/readyz")
		return code == 200
	})
	return s
}

// stop sends SIGTERM and requires exit code 0 within the deadline.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("slotwise run did not exit within 30s of SIGTERM")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("slotwise run exited %d after SIGTERM (%v)", code, s.waitErr)
	}
}

func waitFor(t *testing.T, s *server, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		select {
		case <-s.done:
			t.Fatalf("slotwise run exited (%v) while waiting for %s", s.waitErr, what)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func httpGet(addr, path string) (int, string) {
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err.Error()
	}
	return resp.StatusCode, string(b)
}

func TestRunServesAndRestarts(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir)

	code, body := httpGet(s.addr, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	for _, name := range platformMetricNames {
		if !strings.Contains(body, "# TYPE "+name+" ") {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if code, body := httpGet(s.addr, "/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("/healthz = %d %s", code, body)
	}
	if _, err := os.Stat(filepath.Join(dir, "nats.url")); err != nil {
		t.Errorf("nats.url: %v", err)
	}
	checkOutboxStatus(t, dir)
	eventID := publishUserCreated(t, dir)
	checkEventsTail(t, dir, eventID)
	checkDLQ(t, dir)

	s.stop(t)
	for _, f := range []string{"http.addr", "nats.url"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Errorf("%s left after shutdown (err %v)", f, err)
		}
	}
	if r := slotwise(t, nil, "dlq", "list", "--data-dir", dir); r.code != 1 || !strings.Contains(r.stderr, "no running slotwise") {
		t.Errorf("dlq list on a stopped instance = %d %q, want 1 and 'no running slotwise'", r.code, r.stderr)
	}

	s2 := startServer(t, dir)
	// The event log survived the restart.
	checkEventsTail(t, dir, eventID)
	s2.stop(t)
}

func checkOutboxStatus(t *testing.T, dir string) {
	t.Helper()
	r := slotwise(t, nil, "outbox", "status", "--data-dir", dir, "--json")
	if r.code != 0 {
		t.Fatalf("outbox status = %d: %s", r.code, r.stderr)
	}
	var rows []struct {
		Service string `json:"service"`
		Pending int64  `json:"pending"`
		Failed  int64  `json:"failed"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("outbox status JSON %q: %v", r.stdout, err)
	}
	if len(rows) != 5 || rows[0].Service != "auth" || rows[4].Service != "notification" {
		t.Errorf("outbox status rows = %+v, want the five services", rows)
	}
	if r := slotwise(t, nil, "outbox", "status", "--data-dir", dir); r.code != 0 || !strings.Contains(r.stdout, "SERVICE") || !strings.Contains(r.stdout, "scheduling") {
		t.Errorf("outbox status table = %d %q", r.code, r.stdout)
	}
}

// connectNATS connects to the running instance through its nats.url.
func connectNATS(t *testing.T, dir string) jetstream.JetStream {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "nats.url"))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func publishUserCreated(t *testing.T, dir string) string {
	t.Helper()
	js := connectNATS(t, dir)
	ev, err := event.New(time.Now(), event.TypeUserCreated, "1.0", "auth-service", "corr_e2e", event.UserCreated{
		UserID: "user_1", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Role: "client",
	})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := eventbus.NewMsg(ev, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.PublishMsg(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	return ev.ID
}

func checkEventsTail(t *testing.T, dir, eventID string) {
	t.Helper()
	r := slotwise(t, nil, "events", "tail", "--data-dir", dir, "--from-start", "--count", "1", "--json",
		"--type", event.TypeUserCreated, "--correlation-id", "corr_e2e")
	var ev event.Envelope
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &ev) != nil || ev.ID != eventID {
		t.Errorf("events tail --json = %d %q %q, want the event %s", r.code, r.stdout, r.stderr, eventID)
	}
	r = slotwise(t, nil, "events", "tail", "--data-dir", dir, "--from-start", "--count", "1")
	if r.code != 0 || !strings.Contains(r.stdout, eventID) || !strings.Contains(r.stdout, "corr=corr_e2e") {
		t.Errorf("events tail = %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// checkDLQ dead-letters an event by hand, lists it and re-drives it.
func checkDLQ(t *testing.T, dir string) {
	t.Helper()
	if r := slotwise(t, nil, "dlq", "list", "--data-dir", dir, "--json"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Fatalf("dlq list on an empty DLQ = %d %q %q", r.code, r.stdout, r.stderr)
	}
	seq := deadLetter(t, connectNATS(t, dir))
	r := slotwise(t, nil, "dlq", "list", "--data-dir", dir, "--json")
	var entries []struct {
		Seq        uint64 `json:"seq"`
		Consumer   string `json:"consumer"`
		EventType  string `json:"eventType"`
		RetryCount int    `json:"retryCount"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &entries) != nil || len(entries) != 1 ||
		entries[0].Seq != seq || entries[0].Consumer != "notification-users" || entries[0].EventType != event.TypeUserCreated {
		t.Fatalf("dlq list = %d %q %q, want the one entry at seq %d", r.code, r.stdout, r.stderr, seq)
	}
	if r := slotwise(t, nil, "dlq", "list", "--data-dir", dir); r.code != 0 || !strings.Contains(r.stdout, "notification-users") {
		t.Errorf("dlq list table = %d %q", r.code, r.stdout)
	}
	if r := slotwise(t, nil, "dlq", "redrive", "--data-dir", dir, strconv.FormatUint(seq, 10)); r.code != 0 {
		t.Fatalf("dlq redrive = %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := slotwise(t, nil, "dlq", "list", "--data-dir", dir, "--json"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("dlq list after redrive = %d %q", r.code, r.stdout)
	}
	if r := slotwise(t, nil, "dlq", "redrive", "--data-dir", dir, strconv.FormatUint(seq, 10)); r.code != 1 || !strings.Contains(r.stderr, "no DLQ entry") {
		t.Errorf("second redrive = %d %q, want 1 and 'no DLQ entry'", r.code, r.stderr)
	}
}

// deadLetter publishes a dlq.failed_event as the runtime would and returns
// its DLQ sequence.
func deadLetter(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	orig, err := event.New(time.Now(), event.TypeUserCreated, "1.0", "auth-service", "", event.UserCreated{
		UserID: "user_2", Email: "b@example.com", FirstName: "B", LastName: "C", Role: "client",
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(orig)
	if err != nil {
		t.Fatal(err)
	}
	dl, err := event.New(time.Now(), event.DLQType, "1.0", "notification-service", "", event.DLQFailedEvent{
		OriginalEvent: raw, Error: "smtp: connection refused", Timestamp: time.Now().UTC(), RetryCount: 3,
		Consumer: "notification-users", Subject: orig.Subject(),
	})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := eventbus.NewMsg(dl, "")
	if err != nil {
		t.Fatal(err)
	}
	ack, err := js.PublishMsg(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	return ack.Sequence
}

func TestUsageAndBadFlags(t *testing.T) {
	known := []string{"run", "migrate", "events", "dlq", "outbox", "bench", "version"}
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want []string // substrings of stderr
	}{
		{"no command", nil, nil, 2, known},
		{"unknown command", nil, []string{"frobnicate"}, 2, append([]string{`unknown command "frobnicate"`}, known...)},
		{"bad http", nil, []string{"run", "--http", "nowhere"}, 2, []string{"-http", "host:port"}},
		{"bad sync", nil, []string{"run", "--nats-sync", "sometimes"}, 2, []string{"-nats-sync"}},
		{"bad duration", nil, []string{"run", "--ack-wait", "5"}, 2, []string{"-ack-wait", "duration"}},
		{"negative duration", nil, []string{"run", "--retry-base-delay", "-1s"}, 2, []string{"-retry-base-delay", "positive"}},
		{"bad log format", nil, []string{"run", "--log-format", "xml"}, 2, []string{"-log-format"}},
		{"unknown service", nil, []string{"run", "--services", "billing"}, 2, []string{"-services", "billing"}},
		{"unknown engine", nil, []string{"migrate", "--database-url", "auth=mysql://x/y"}, 2, []string{"-database-url", "unsupported database URL"}},
		{"unknown flag", nil, []string{"run", "--frobnicate"}, 2, []string{"frobnicate"}},
		{"stray argument", nil, []string{"run", "extra"}, 2, []string{`unexpected argument "extra"`}},
		{"bad env", []string{"SLOTWISE_HTTP=nowhere"}, []string{"run"}, 2, []string{"SLOTWISE_HTTP", "--http"}},
		{"bad nats url", nil, []string{"dlq", "list", "--nats-url", "localhost"}, 2, []string{"-nats-url"}},
		{"unknown event type", nil, []string{"events", "tail", "--type", "booking.exploded"}, 2, []string{"-type", "unknown event type"}},
		{"redrive without target", nil, []string{"dlq", "redrive"}, 2, []string{"SEQ or --all"}},
		{"unknown dlq subcommand", nil, []string{"dlq", "purge"}, 2, []string{`unknown subcommand "purge"`, "list", "redrive"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := slotwise(t, tt.env, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", r.code, tt.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	if r := slotwise(t, nil, "--help"); r.code != 0 || !strings.Contains(r.stdout, "outbox") {
		t.Errorf("--help = %d %q", r.code, r.stdout)
	}
	if r := slotwise(t, nil, "run", "--help"); r.code != 0 || !strings.Contains(r.stdout, "SLOTWISE_DATA_DIR") || !strings.Contains(r.stdout, "-nats-sync policy") {
		t.Errorf("run --help = %d %q", r.code, r.stdout)
	}
	r := slotwise(t, nil, "version")
	if r.code != 0 || !strings.Contains(r.stdout, "slotwise dev") || !strings.Contains(r.stdout, "go: go1.") {
		t.Errorf("version = %d %q", r.code, r.stdout)
	}
}

// An unreachable server or database is named in one line, exit 1.
func TestUnreachableDependencies(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"nats", []string{"dlq", "list", "--nats-url", "nats://127.0.0.1:1", "--timeout", "2s"}, "cannot reach NATS at nats://127.0.0.1:1: dial tcp 127.0.0.1:1: connect: connection refused"},
		{"events nats", []string{"events", "tail", "--nats-url", "nats://127.0.0.1:1"}, "cannot reach NATS at nats://127.0.0.1:1"},
		{"database", []string{"outbox", "status", "--database-url", "scheduling=postgres://nobody@127.0.0.1:1/x", "--timeout", "3s"}, "scheduling database"},
		{"no data dir", []string{"outbox", "status", "--data-dir", "/nonexistent/slotwise"}, "no service databases"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := slotwise(t, nil, tt.args...)
			msg := strings.TrimSpace(r.stderr)
			if r.code != 1 || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("exit %d, stderr %q; want 1 and one line containing %q", r.code, msg, tt.want)
			}
		})
	}
}
