package cli

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/natsembed/natstest"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func TestServeRejectsBadFlags(t *testing.T) {
	pg := "postgres://u@127.0.0.1:5432/db"
	ok := []string{"--nats-url", "nats://127.0.0.1:4222", "--database-url", pg, "--jwt-keys", "/tmp/k.json"}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no nats url", []string{"--database-url", pg, "--jwt-keys", "k"}, "--nats-url is required"},
		{"bad nats url", append([]string{"--nats-url", "nats://a:1,http://b"}, ok[2:]...), "want URLs"},
		{"no database", []string{"--nats-url", "nats://a:1", "--jwt-keys", "k"}, "no database for service"},
		{"sqlite shared", []string{"--nats-url", "nats://a:1", "--jwt-keys", "k", "--database-url", "sqlite:/tmp/x.db"}, "must be PostgreSQL"},
		{"sqlite pair", append(ok, "--services", "auth", "--database-url", "auth=sqlite:/tmp/a.db"), "serve needs PostgreSQL"},
		{"no keys", []string{"--nats-url", "nats://a:1", "--database-url", pg}, "--jwt-keys is required"},
		{"creds and user", append(ok, "--nats-creds", "c", "--nats-user", "u"), "nats-creds: not together"},
		{"password alone", append(ok, "--nats-password", "p"), "nats-password: needs nats-user"},
		{"cert without key", append(ok, "--nats-tls-cert", "c.pem"), "give both or neither"},
		{"replicas", append(ok, "--stream-replicas", "7"), "want an integer from 1 to 5"},
		{"embedded flag", append(ok, "--nats-listen", "127.0.0.1:0"), "flag provided but not defined"},
		{"unknown service", append(ok, "--services", "billing"), "unknown service"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _, stderr := testEnv(nil)
			if code := run(context.Background(), e, append([]string{"serve"}, c.args...)); code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr.String(), c.want) {
				t.Fatalf("stderr %q does not mention %q", stderr, c.want)
			}
		})
	}
}

func TestServeConfigGivesEachServiceItsSchema(t *testing.T) {
	e, _, stderr := testEnv(map[string]string{"SLOTWISE_NATS_PASSWORD": "secret"})
	cfg, code, ok := serveConfig(e, []string{
		"--services", "scheduling,payment", "--nats-url", "nats://a:4222, nats://b:4222",
		"--database-url", "postgres://u@h/db?sslmode=disable", "--database-url", "payment=postgres://p@h/pay",
		"--jwt-keys", "k.json", "--nats-user", "scheduling", "--stream-replicas", "3",
	})
	if !ok {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if cfg.NATSURL != "nats://a:4222,nats://b:4222" {
		t.Errorf("NATSURL = %q", cfg.NATSURL)
	}
	if got := cfg.DatabaseURL("scheduling"); got != "postgres://u@h/db?search_path=scheduling&sslmode=disable" {
		t.Errorf("scheduling url = %q", got)
	}
	if got := cfg.DatabaseURL("payment"); got != "postgres://p@h/pay" {
		t.Errorf("payment url = %q", got)
	}
	if cfg.NATSClient.User != "scheduling" || cfg.NATSClient.Password != "secret" || cfg.StreamReplicas != 3 || !cfg.SharedDataDir {
		t.Errorf("config = %+v", cfg)
	}
}

// freshDatabase creates an empty PostgreSQL database and returns its URL.
func freshDatabase(t *testing.T) string {
	t.Helper()
	base := sqldbtest.PostgresURL(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "slotwise_serve_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE " + name + " WITH (FORCE)")
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestMigrateThenServeTwoInstancesOnSharedSchemas(t *testing.T) {
	db := freshDatabase(t)
	ns := natstest.Start(t)
	dir := t.TempDir()
	keys := filepath.Join(dir, "jwt-keys.json")

	e, stdout, stderr := testEnv(nil)
	if code := run(context.Background(), e, []string{"migrate", "--database-url", db, "--services", "auth,business", "--jwt-keys", keys}); code != 0 {
		t.Fatalf("migrate exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout.String(), "search_path=auth") || !strings.Contains(stdout.String(), "jwt-keys") {
		t.Fatalf("migrate output: %s", stdout)
	}
	assertSchemaTables(t, db, "auth")
	assertSchemaTables(t, db, "business")

	// Two instances of the same services, one data dir (no lock in serve).
	for i := range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int, 1)
		e, _, stderr := testEnv(nil)
		go func() {
			done <- run(ctx, e, []string{"serve", "--services", "auth,business", "--nats-url", ns.ClientURL(),
				"--database-url", db, "--jwt-keys", keys, "--data-dir", filepath.Join(dir, "d"+string(rune('0'+i))),
				"--http", "127.0.0.1:0", "--log-level", "error"})
		}()
		t.Cleanup(func() {
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("serve %d exit %d: %s", i, code, stderr)
			}
		})
		addr := waitForFile(t, filepath.Join(dir, "d"+string(rune('0'+i)), app.HTTPAddrFile), done, stderr.String)
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("instance %d /readyz: %s", i, resp.Status)
		}
	}
}

func assertSchemaTables(t *testing.T, dbURL, schema string) {
	t.Helper()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = $1`, schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Fatalf("schema %s has %d tables", schema, n)
	}
}

// waitForFile polls for a file the server writes at start and returns its
// trimmed content; it fails when the server exits first.
func waitForFile(t *testing.T, path string, done chan int, stderr func() string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		select {
		case code := <-done:
			done <- code // for the cleanup that waits on it
			t.Fatalf("serve exited with %d before writing %s: %s", code, path, stderr())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("%s not written within 30s", path)
	return ""
}
