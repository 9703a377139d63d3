package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// serveOnlyRunFlags are run's flags that make no sense in serve mode (they
// configure the embedded server, or are replaced by serve's own).
var serveOnlyRunFlags = []string{"nats-url", "nats-listen", "nats-monitor", "nats-sync", "database-url", "demo"}

// serveFlags registers serve's flags: run's flags that apply to an external
// NATS, plus the connection and database ones.
func serveFlags(fs *flag.FlagSet, c *app.Config, dbURLs *[]string) {
	scratch := flag.NewFlagSet("run", flag.ContinueOnError)
	var ignored []string
	runFlags(scratch, c, &ignored)
	scratch.VisitAll(func(f *flag.Flag) {
		if !slices.Contains(serveOnlyRunFlags, f.Name) {
			fs.Var(f.Value, f.Name, f.Usage)
		}
	})
	fs.Var(natsURLsFlag{&c.NATSURL}, "nats-url", "NATS server `URLs`, comma-separated (nats://a:4222,nats://b:4222,…; tls:// for TLS); required")
	fs.Var(&listFlag{p: dbURLs, check: checkServeDatabaseURL}, "database-url", "PostgreSQL `url` shared by the services (each in its own schema, search_path=<service>), or service=url per service; repeatable or comma-separated; required")
	registerNATSClient(fs, &c.NATSClient)
	fs.Var(intFlag{&c.StreamReplicas, 1, 5}, "stream-replicas", "replicas of the event-log and DLQ streams (`n`; 3 in a 3-node cluster)")
}

// registerNATSClient registers the flags of an external NATS's
// credentials and TLS (serve and the ops commands).
func registerNATSClient(fs *flag.FlagSet, c *app.NATSClient) {
	fs.StringVar(&c.CredsFile, "nats-creds", "", "NATS credentials `file` (JWT and nkey seed)")
	fs.StringVar(&c.User, "nats-user", "", "NATS `user` (with --nats-password)")
	fs.StringVar(&c.Password, "nats-password", "", "NATS `password` (prefer SLOTWISE_NATS_PASSWORD to keep it out of the process list)")
	fs.StringVar(&c.TLSCA, "nats-tls-ca", "", "CA certificate `file` (PEM) the NATS servers' certificates chain to")
	fs.StringVar(&c.TLSCert, "nats-tls-cert", "", "client certificate `file` (PEM) for servers that verify clients")
	fs.StringVar(&c.TLSKey, "nats-tls-key", "", "client key `file` (PEM)")
}

// serveConfig parses serve's flags into a validated Config.
func serveConfig(e *env, args []string) (app.Config, int, bool) {
	cfg := app.Defaults()
	cfg.StreamReplicas = 1
	cfg.SharedDataDir = true
	fs := newFlagSet(e, "serve", "serve --services a,b --nats-url URLS --database-url URL --jwt-keys FILE [flags]")
	var dbURLs []string
	serveFlags(fs, &cfg, &dbURLs)
	if code, ok := parseFlags(fs, e, args); !ok {
		return cfg, code, false
	}
	if fs.NArg() > 0 {
		return cfg, usageError(fs, "unexpected argument %q", fs.Arg(0)), false
	}
	if cfg.NATSURL == "" {
		return cfg, usageError(fs, "--nats-url is required"), false
	}
	if !flagSet(fs, "jwt-keys") && !flagSet(fs, "data-dir") {
		return cfg, usageError(fs, "--jwt-keys is required (a signing key file every instance shares), or --data-dir holding jwt-keys.json"), false
	}
	urls, err := serviceDatabaseURLs(dbURLs, cfg.Services, true)
	if err != nil {
		return cfg, usageError(fs, "%v", err), false
	}
	cfg.DatabaseURLs = urls
	if err := cfg.Validate(); err != nil {
		return cfg, usageError(fs, "invalid setting: %v", err), false
	}
	return cfg, 0, true
}

// flagSet reports whether a flag was given (on the command line or through
// its environment variable).
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// serveCmd is `slotwise serve`: the chosen services against an external
// NATS (cluster) and PostgreSQL; any number of instances may run at once.
func serveCmd(ctx context.Context, e *env, args []string) int {
	cfg, code, ok := serveConfig(e, args)
	if !ok {
		return code
	}
	log := newLogger(e.stderr, cfg.LogLevel, cfg.LogFormat)
	for _, svc := range cfg.Services {
		if err := app.EnsureSchema(ctx, cfg.DatabaseURL(svc)); err != nil {
			log.Error("start failed", "service", svc, "err", err)
			return 1
		}
	}
	a, err := app.New(cfg, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "slotwise serve: %v\n", err)
		return 2
	}
	if err := a.Start(ctx); err != nil {
		log.Error("start failed", "err", err)
		return 1
	}
	<-ctx.Done()
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := a.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	return 0
}

// checkServeDatabaseURL checks a --database-url value: a database URL
// shared by the services, or a service=url pair.
func checkServeDatabaseURL(s string) error {
	if _, err := sqldb.EngineOf(s); err == nil {
		return nil
	}
	return checkDatabaseURL(s)
}

// serviceDatabaseURLs resolves --database-url values for services: a
// service=url pair wins; otherwise the one shared PostgreSQL URL, with the
// service's schema as search_path. With requireAll every service needs a
// PostgreSQL database (serve); without, a service left out keeps its
// default SQLite file (migrate).
func serviceDatabaseURLs(values, services []string, requireAll bool) (map[string]string, error) {
	pairs := map[string]string{}
	shared := ""
	for _, v := range values {
		if _, err := sqldb.EngineOf(v); err == nil {
			if shared != "" && shared != v {
				return nil, errors.New("--database-url: more than one shared URL (name the service: service=url)")
			}
			shared = v
			continue
		}
		svc, u, _ := strings.Cut(v, "=")
		pairs[svc] = u
	}
	if shared != "" {
		if engine, _ := sqldb.EngineOf(shared); engine != sqldb.Postgres {
			return nil, fmt.Errorf("--database-url %s: a URL shared by the services must be PostgreSQL (each gets its own schema)", sqldb.Redact(shared))
		}
	}
	out := map[string]string{}
	for _, svc := range services {
		switch u, ok := pairs[svc]; {
		case ok:
			out[svc] = u
		case shared != "":
			su, err := app.SchemaURL(shared, svc)
			if err != nil {
				return nil, fmt.Errorf("--database-url: %w", err)
			}
			out[svc] = su
		}
		if !requireAll {
			continue
		}
		if u, ok := out[svc]; !ok {
			return nil, fmt.Errorf("--database-url: no database for service %s (give a PostgreSQL URL)", svc)
		} else if engine, _ := sqldb.EngineOf(u); engine != sqldb.Postgres {
			return nil, fmt.Errorf("--database-url %s: serve needs PostgreSQL (instances share it), got %s", svc, sqldb.Redact(u))
		}
	}
	for svc, u := range pairs {
		if _, ok := out[svc]; !ok && !requireAll {
			out[svc] = u // migrate: a pair for a service not listed is harmless
		}
	}
	return out, nil
}

// natsURLsFlag is a comma-separated list of NATS server URLs.
type natsURLsFlag struct{ p *string }

func (f natsURLsFlag) String() string {
	if f.p == nil {
		return ""
	}
	return *f.p
}

func (f natsURLsFlag) Set(s string) error {
	var urls []string
	for _, v := range strings.Split(s, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || !slices.Contains([]string{"nats", "tls", "ws", "wss"}, u.Scheme) {
			return fmt.Errorf("want URLs such as nats://10.0.0.1:4222,nats://10.0.0.2:4222, got %q", v)
		}
		urls = append(urls, v)
	}
	if len(urls) == 0 {
		return errors.New("want at least one URL")
	}
	*f.p = strings.Join(urls, ",")
	return nil
}
