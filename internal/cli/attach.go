package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// attach is how an ops command reaches a running instance: its data dir
// (which names the NATS URL and holds the SQLite databases), or explicit
// URLs.
type attach struct {
	dataDir string
	natsURL string
	client  app.NATSClient // credentials and TLS for a secured cluster
	dbURLs  []string
	timeout time.Duration
}

func (a *attach) registerNATS(fs *flag.FlagSet) {
	a.dataDir = app.Defaults().DataDir
	a.timeout = 5 * time.Second
	fs.StringVar(&a.dataDir, "data-dir", a.dataDir, "data `directory` of the running instance (its nats.url names the server)")
	fs.Var(natsURLsFlag{&a.natsURL}, "nats-url", "NATS server `URLs`, comma-separated (default: read from <data-dir>/nats.url)")
	registerNATSClient(fs, &a.client)
	fs.Var(durationFlag{&a.timeout}, "timeout", "`duration` bound on connecting and on each request")
}

func (a *attach) registerDatabases(fs *flag.FlagSet) {
	a.dataDir = app.Defaults().DataDir
	a.timeout = 5 * time.Second
	fs.StringVar(&a.dataDir, "data-dir", a.dataDir, "data `directory` holding the services' SQLite databases")
	fs.Var(&listFlag{p: &a.dbURLs, check: checkDatabaseURL}, "database-url", "a service's database as `service=url`, repeatable or comma-separated (instead of --data-dir)")
	fs.Var(durationFlag{&a.timeout}, "timeout", "`duration` bound on connecting and on each query")
}

// resolveNATSURL returns --nats-url, or the URL the instance in --data-dir
// wrote.
func (a *attach) resolveNATSURL() (string, error) {
	if a.natsURL != "" {
		return a.natsURL, nil
	}
	p := filepath.Join(a.dataDir, app.NATSURLFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("no running slotwise in %s (%s not found; is `slotwise run --data-dir %s` running? or pass --nats-url)", a.dataDir, p, a.dataDir)
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// connect connects to NATS; the error says which server and why.
func (a *attach) connect() (*nats.Conn, jetstream.JetStream, error) {
	u, err := a.resolveNATSURL()
	if err != nil {
		return nil, nil, err
	}
	if err := a.client.Validate(); err != nil {
		return nil, nil, err
	}
	opts, err := a.client.Options()
	if err != nil {
		return nil, nil, err
	}
	nc, err := nats.Connect(u, append(opts, nats.Name("slotwise-cli"), nats.Timeout(a.timeout))...)
	if err != nil {
		first, _, _ := strings.Cut(u, ",")
		return nil, nil, fmt.Errorf("cannot reach NATS at %s: %v", u, dialReason(first, a.timeout, err))
	}
	js, err := jetstream.New(nc, jetstream.WithDefaultTimeout(a.timeout))
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream at %s: %v", u, err)
	}
	return nc, js, nil
}

// dialReason explains a failed NATS connect: the client reports only "no
// servers available", so dial the address to learn why.
func dialReason(rawURL string, timeout time.Duration, connectErr error) error {
	if !errors.Is(connectErr, nats.ErrNoServers) {
		return connectErr
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return connectErr
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "4222")
	}
	conn, err := net.DialTimeout("tcp", host, timeout)
	if err != nil {
		return err
	}
	_ = conn.Close() // only a probe
	return connectErr
}

// serviceDB is one service's database to inspect.
type serviceDB struct {
	service, url string
}

// databases returns the databases to inspect: --database-url, or the
// SQLite files present in --data-dir.
func (a *attach) databases() ([]serviceDB, error) {
	if len(a.dbURLs) > 0 {
		var out []serviceDB
		for svc, u := range databaseURLs(a.dbURLs) {
			out = append(out, serviceDB{svc, u})
		}
		sortServiceDBs(out)
		return out, nil
	}
	cfg := app.Defaults()
	cfg.DataDir = a.dataDir
	var out []serviceDB
	for _, svc := range app.ModuleNames() {
		u := cfg.DatabaseURL(svc)
		if _, err := os.Stat(sqldb.SQLitePath(u)); err == nil {
			out = append(out, serviceDB{svc, u})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no service databases in %s (has `slotwise run --data-dir %s` ever run? or pass --database-url)", a.dataDir, a.dataDir)
	}
	return out, nil
}

// sortServiceDBs orders databases as the module table does.
func sortServiceDBs(dbs []serviceDB) {
	order := map[string]int{}
	for i, n := range app.ModuleNames() {
		order[n] = i
	}
	slices.SortFunc(dbs, func(x, y serviceDB) int { return order[x.service] - order[y.service] })
}

// openDB opens a service database for reading; the error says which and
// why.
func (a *attach) openDB(ctx context.Context, d serviceDB) (*sqldb.DB, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	db, err := sqldb.Open(ctx, d.url)
	if err != nil {
		return nil, fmt.Errorf("%s database: %v", d.service, err)
	}
	return db, nil
}

// fail prints a one-line error for a command and returns exit code 1.
func fail(e *env, cmd string, err error) int {
	fmt.Fprintf(e.stderr, "slotwise %s: %s\n", cmd, singleLine(err.Error()))
	return 1
}

// singleLine joins the lines of a multi-line message (pgx lists one line
// per address tried).
func singleLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.ReplaceAll(strings.Join(parts, "; "), ":; ", ": ")
}
