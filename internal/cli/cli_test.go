package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// testEnv returns an env with the given variables and captured output.
func testEnv(vars map[string]string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &env{stdout: &stdout, stderr: &stderr, lookup: func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}}, &stdout, &stderr
}

func TestEnvName(t *testing.T) {
	if got := EnvName("data-dir"); got != "SLOTWISE_DATA_DIR" {
		t.Errorf("EnvName(data-dir) = %q", got)
	}
}

func TestFlagBeatsEnvironment(t *testing.T) {
	tests := []struct {
		name     string
		vars     map[string]string
		args     []string
		http     string
		services []string
		dbs      map[string]string
	}{
		{"defaults", nil, nil, "127.0.0.1:8080", []string{"auth", "business", "scheduling", "payment", "notification"}, map[string]string{}},
		{"env only", map[string]string{"SLOTWISE_HTTP": "127.0.0.1:9000", "SLOTWISE_SERVICES": "auth,payment"}, nil,
			"127.0.0.1:9000", []string{"auth", "payment"}, map[string]string{}},
		{"flag beats env", map[string]string{"SLOTWISE_HTTP": "127.0.0.1:9000", "SLOTWISE_SERVICES": "auth"},
			[]string{"--http", "127.0.0.1:9001", "--services", "payment", "--services", "business"},
			"127.0.0.1:9001", []string{"payment", "business"}, map[string]string{}},
		{"list flag replaces env list", map[string]string{"SLOTWISE_DATABASE_URL": "auth=sqlite:a.db,business=sqlite:b.db"},
			[]string{"--database-url", "scheduling=sqlite:c.db"},
			"127.0.0.1:8080", []string{"auth", "business", "scheduling", "payment", "notification"}, map[string]string{"scheduling": "sqlite:c.db"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, stderr := testEnv(tt.vars)
			cfg, code, ok := runConfig(e, tt.args)
			if !ok {
				t.Fatalf("runConfig: exit %d: %s", code, stderr)
			}
			if cfg.HTTPAddr != tt.http || !slices.Equal(cfg.Services, tt.services) || !mapsEqual(cfg.DatabaseURLs, tt.dbs) {
				t.Errorf("got http %q services %v dbs %v, want %q %v %v", cfg.HTTPAddr, cfg.Services, cfg.DatabaseURLs, tt.http, tt.services, tt.dbs)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSingleLine(t *testing.T) {
	in := "failed to connect to `user=x`:\n\t127.0.0.1:1: refused\n\t127.0.0.1:1: refused\n"
	want := "failed to connect to `user=x`: 127.0.0.1:1: refused; 127.0.0.1:1: refused"
	if got := singleLine(in); got != want {
		t.Errorf("singleLine = %q, want %q", got, want)
	}
}

// TestMigrateThenOutboxStatus runs `migrate` and `outbox status` in
// process against each engine.
func TestMigrateThenOutboxStatus(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		dir := t.TempDir()
		args := []string{"--data-dir", dir}
		if engine == sqldb.Postgres {
			args = []string{"--database-url", "payment=" + sqldbtest.URL(t, engine)}
		}
		e, stdout, stderr := testEnv(nil)
		if code := run(context.Background(), e, append([]string{"migrate", "--services", "payment"}, args...)); code != 0 {
			t.Fatalf("migrate = %d: %s", code, stderr)
		}
		if !strings.Contains(stdout.String(), "payment") {
			t.Errorf("migrate output %q does not name the service", stdout)
		}
		if engine == sqldb.SQLite {
			if _, err := os.Stat(filepath.Join(dir, "payment.db")); err != nil {
				t.Fatalf("payment.db: %v", err)
			}
		}
		e, stdout, stderr = testEnv(nil)
		if code := run(context.Background(), e, append([]string{"outbox", "status", "--json"}, args...)); code != 0 {
			t.Fatalf("outbox status = %d: %s", code, stderr)
		}
		var rows []outboxStatusJSON
		if err := json.Unmarshal(stdout.Bytes(), &rows); err != nil {
			t.Fatalf("outbox status JSON %q: %v", stdout, err)
		}
		if len(rows) != 1 || rows[0] != (outboxStatusJSON{Service: "payment"}) {
			t.Errorf("outbox status = %+v, want payment with an empty outbox", rows)
		}
	})
}

func TestOutboxStatusBeforeMigrateFails(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "auth.db"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	e, _, stderr := testEnv(nil)
	code := run(context.Background(), e, []string{"outbox", "status", "--data-dir", dir})
	if code != 1 || !strings.Contains(stderr.String(), "auth outbox") {
		t.Errorf("outbox status on an unmigrated database = %d %q, want 1 naming the auth outbox", code, stderr)
	}
}
