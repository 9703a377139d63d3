package scaleout

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/notification/smtptest"
)

// deployment is the scale-out system of the end-to-end run, every part an
// OS process: three NATS nodes (deploy/nats/nats-prod.conf with TLS and the
// per-service users), a fresh PostgreSQL database, and `slotwise serve`
// per service (two instances of scheduling and of notification), each
// with its own NATS user, HTTP port and data directory.
type deployment struct {
	t    *testing.T
	bins binaries
	dir  string
	pki  *PKI
	urls string // the nodes' client URLs, comma-separated

	nats     []*proc // index i runs nodes[i]
	nodes    []Node
	services map[string][]*service

	dbURL string // the run's database (each service in its own schema)
	db    *sql.DB
	keys  string // the shared --jwt-keys file
	smtp  *smtptest.Server

	ops *nats.Conn // user ops: full rights, reconnecting
	js  jetstream.JetStream
}

// service is one `slotwise serve --services <name>` instance.
type service struct {
	*proc
	service string
	addr    string // host:port of its HTTP API
}

// EnvLogs names a directory to keep the run's files in (configs,
// certificates, NATS stores, every process's log) instead of a temporary
// one; it must be empty.
const EnvLogs = "SLOTWISE_SCALEOUT_DIR"

// instances is how many processes each service runs.
var instances = map[string]int{"auth": 1, "business": 1, "scheduling": 2, "payment": 1, "notification": 2}

// deploy builds the binaries and starts everything; every process is
// stopped at cleanup (the services before the nodes).
func deploy(t *testing.T) *deployment {
	t.Helper()
	d := &deployment{t: t, dir: t.TempDir(), services: map[string][]*service{}}
	if keep := os.Getenv(EnvLogs); keep != "" {
		d.dir = keep
	}
	t.Cleanup(func() {
		if t.Failed() {
			d.dumpLogs()
		}
	})
	d.bins = buildBinaries(t)
	d.dbURL = freshDatabase(t)
	db, err := sql.Open("pgx", d.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	d.db = db
	d.smtp = smtptest.Start(t)
	d.startNATS()
	d.migrate()
	d.startServices()
	return d
}

// freshDatabase creates a database of its own for the run on the server
// of SLOTWISE_TEST_POSTGRES_URL and drops it at cleanup.
func freshDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("SLOTWISE_TEST_POSTGRES_URL")
	if admin == "" {
		if os.Getenv("SLOTWISE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("SLOTWISE_TEST_POSTGRES_URL is not set")
		}
		t.Skip("SLOTWISE_TEST_POSTGRES_URL is not set: the scale-out run needs PostgreSQL")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "slotwise_scaleout_" + hex.EncodeToString(b)
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		_ = adb.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := adb.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		_ = adb.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// startNATS writes the node configs from deploy/nats and starts the three
// nodes as processes, then connects as ops and waits for JetStream.
func (d *deployment) startNATS() {
	t := d.t
	pki, err := NewPKI(d.dir)
	if err != nil {
		t.Fatalf("pki: %v", err)
	}
	d.pki = pki
	nodes, err := WriteClusterConfigs(filepath.Join("..", "..", "deploy", "nats"), d.dir, pki, 3)
	if err != nil {
		t.Fatalf("configs: %v", err)
	}
	d.nodes = nodes
	urls := make([]string, len(nodes))
	for i, n := range nodes {
		p := &proc{name: n.Name, bin: d.bins.natsnode, args: []string{"-c", n.ConfFile, "-log"},
			env: cleanEnv(PasswordEnv()), logPath: filepath.Join(d.dir, n.Name+".log")}
		d.nats = append(d.nats, p)
		urls[i] = n.ClientURL()
		if err := p.start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := p.stop(30 * time.Second); err != nil {
				t.Errorf("stop %s: %v", p.name, err)
			}
		})
	}
	d.urls = strings.Join(urls, ",")
	for _, p := range d.nats {
		if err := d.waitNode(p, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	nc, err := nats.Connect(d.urls, nats.UserInfo("ops", Password("ops")), nats.RootCAs(pki.CAFile),
		nats.ClientCert(pki.ClientCert, pki.ClientKey), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatalf("connect as ops: %v", err)
	}
	t.Cleanup(nc.Close)
	d.ops = nc
	if d.js, err = jetstream.New(nc); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "JetStream cluster ready", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := d.js.AccountInfo(ctx)
		return err == nil
	})
}

// waitNode waits until a node process printed "ready".
func (d *deployment) waitNode(p *proc, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for !p.printedLine("ready") {
		if p.exited() {
			return fmt.Errorf("%s exited:\n%s", p.name, p.logTail(30))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready within %s:\n%s", p.name, timeout, p.logTail(30))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// migrate runs `slotwise migrate` on the fresh database (every service's
// schema) and creates the shared signing key file.
func (d *deployment) migrate() {
	d.keys = filepath.Join(d.dir, "jwt-keys.json")
	p := &proc{name: "migrate", bin: d.bins.slotwise, args: []string{"migrate", "--database-url", d.dbURL, "--jwt-keys", d.keys},
		env: cleanEnv(nil), logPath: filepath.Join(d.dir, "migrate.log")}
	if err := p.start(); err != nil {
		d.t.Fatal(err)
	}
	_, done := p.running()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		_ = p.kill9()
		d.t.Fatalf("slotwise migrate did not finish:\n%s", p.logTail(30))
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		d.t.Fatalf("slotwise migrate: exit %d:\n%s", code, p.logTail(30))
	}
}

// startServices starts every service instance at once, as a deployment
// does, and waits until each is ready (/readyz).
func (d *deployment) startServices() {
	t := d.t
	total := 0
	for _, n := range instances {
		total += n
	}
	ports, err := freePorts(total)
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range Services {
		for i := range instances[svc] {
			s := d.newService(svc, i+1, ports[0])
			ports = ports[1:]
			d.services[svc] = append(d.services[svc], s)
			if err := s.start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := s.stop(45 * time.Second); err != nil {
					t.Errorf("stop %s: %v", s.name, err)
				}
			})
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, s := range d.allServices() {
		if err := waitReady(ctx, s.proc, "http://"+s.addr+"/readyz"); err != nil {
			t.Fatal(err)
		}
	}
}

// newService is instance i of svc: `slotwise serve` with the service's own
// NATS user (password in SLOTWISE_NATS_PASSWORD) over TLS with the client
// certificate, R3 streams, the shared database and key file.
func (d *deployment) newService(svc string, i int, port int) *service {
	name := fmt.Sprintf("%s-%d", svc, i)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := []string{"serve", "--services", svc,
		"--nats-url", d.urls, "--nats-user", svc,
		"--nats-tls-ca", d.pki.CAFile, "--nats-tls-cert", d.pki.ClientCert, "--nats-tls-key", d.pki.ClientKey,
		"--stream-replicas", "3", "--database-url", d.dbURL, "--jwt-keys", d.keys,
		"--http", addr, "--data-dir", filepath.Join(d.dir, name),
		// A killed instance's unacknowledged events go to the other one
		// after ack-wait: 10 s instead of 30 s keeps the run short.
		"--ack-wait", "10s",
		// The owner's token is used for the whole run.
		"--access-token-ttl", "24h",
	}
	switch svc {
	case "notification":
		args = append(args, "--smtp-url", d.smtp.URL())
	case "payment":
		args = append(args, "--payment-provider", "sandbox")
	}
	return &service{service: svc, addr: addr, proc: &proc{name: name, bin: d.bins.slotwise, args: args,
		env: cleanEnv(map[string]string{"SLOTWISE_NATS_PASSWORD": Password(svc)}), logPath: filepath.Join(d.dir, name+".log")}}
}

// streamLeader returns the node process leading the event-log stream.
func (d *deployment) streamLeader(ctx context.Context) (*proc, error) {
	s, err := d.js.Stream(ctx, eventbus.EventStream)
	if err != nil {
		return nil, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return nil, err
	}
	if info.Cluster == nil {
		return nil, fmt.Errorf("%s: no cluster info", eventbus.EventStream)
	}
	for _, p := range d.nats {
		if p.name == info.Cluster.Leader {
			return p, nil
		}
	}
	return nil, fmt.Errorf("%s: leader %q is not one of the nodes", eventbus.EventStream, info.Cluster.Leader)
}

// streamsHealthy reports whether both streams have a leader and two
// current, online replicas.
func (d *deployment) streamsHealthy(ctx context.Context) error {
	for _, name := range []string{eventbus.EventStream, eventbus.DLQStream} {
		s, err := d.js.Stream(ctx, name)
		if err != nil {
			return err
		}
		info, err := s.Info(ctx)
		if err != nil {
			return err
		}
		if info.Config.Replicas != 3 || info.Cluster == nil || info.Cluster.Leader == "" || len(info.Cluster.Replicas) != 2 {
			return fmt.Errorf("%s: replicas %d, cluster %+v", name, info.Config.Replicas, info.Cluster)
		}
		for _, r := range info.Cluster.Replicas {
			if !r.Current || r.Offline {
				return fmt.Errorf("%s: replica %s current=%v offline=%v", name, r.Name, r.Current, r.Offline)
			}
		}
	}
	return nil
}

// dumpLogs prints the tail of every process's log (on failure).
func (d *deployment) dumpLogs() {
	var all []*proc
	all = append(all, d.nats...)
	for _, svc := range Services {
		for _, s := range d.services[svc] {
			all = append(all, s.proc)
		}
	}
	for _, p := range all {
		d.t.Logf("---- %s (%s), last lines:\n%s", p.name, p.logPath, p.logTail(25))
	}
}
