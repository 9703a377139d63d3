package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/httpapi"
	"github.com/slotwise/slotwise/internal/natsembed"
	"github.com/slotwise/slotwise/internal/web"
)

// App is one running SlotWise process: the embedded NATS server, the
// configured services and the HTTP server. Create it with New, then Start;
// Shutdown releases everything Start acquired, also after a failed Start.
type App struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	cat     *catalog.Catalog
	reg     *prometheus.Registry
	metrics *eventbus.Metrics

	ns       *natsembed.Server
	nc       *nats.Conn
	js       jetstream.JetStream
	dlq      *eventbus.DLQ
	services []*service

	relayCancel context.CancelFunc
	relays      sync.WaitGroup
	background  background // the services' Instance.Background loops

	unlock       func() // releases the data dir lock
	tokens       *authn.Tokens
	routesServed []httpapi.Route

	httpSrv  *http.Server
	httpLn   net.Listener // bound before the services start, served after
	linkKey  []byte       // derives manage-link tokens (authn.KeySet.LinkKey)
	built    Built        // the service objects of this process, for the web
	site     *web.Site    // the web pages; nil unless their services run here
	httpAddr string
	httpDone chan error
}

// New returns an App for a valid configuration; it starts nothing. log may
// be nil (no logs).
func New(cfg Config, log *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	reg := prometheus.NewRegistry()
	a := &App{
		cfg: cfg, log: log, now: cfg.Clock, cat: catalog.Default(), reg: reg,
		metrics: eventbus.NewMetrics(reg),
	}
	if a.now == nil {
		a.now = time.Now
	}
	registerRuntimeCollectors(reg)
	for _, t := range a.cat.Types() {
		a.metrics.Published.WithLabelValues(t)
	}
	return a, nil
}

// HTTPAddr returns the address the HTTP server listens on (after Start).
func (a *App) HTTPAddr() string { return a.httpAddr }

// NATSURL returns the NATS URL in use: Config.NATSURL, or the embedded
// server's client URL ("" without a listener).
func (a *App) NATSURL() string {
	if a.cfg.NATSURL != "" {
		return a.cfg.NATSURL
	}
	if a.ns == nil {
		return ""
	}
	return a.ns.ClientURL()
}

// Registry returns the App's Prometheus registry.
func (a *App) Registry() *prometheus.Registry { return a.reg }

// Start brings the process up: NATS, streams, databases, relays, runtimes,
// HTTP. On error it has already undone what it started.
func (a *App) Start(ctx context.Context) error {
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"data dir", a.makeDataDir},
		{"signing keys", a.loadKeys},
		{"http listen", a.listenHTTP},
		{"nats", a.startNATS},
		{"nats client", a.connectNATS},
		{"services", a.openServices},
		{"web", a.buildWeb},
		{"relays", a.startRelays},
		{"subscriptions", a.subscribe},
		{"background", a.startBackground},
		{"http", a.startHTTP},
	}
	for _, s := range steps {
		if err := s.run(ctx); err != nil {
			err = fmt.Errorf("start %s: %w", s.name, err)
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
			defer cancel()
			if serr := a.Shutdown(sctx); serr != nil {
				a.log.Error("shutdown after failed start", "err", serr)
			}
			return err
		}
	}
	a.log.Info("slotwise ready", "http", a.httpAddr, "nats", a.NATSURL(), "data_dir", a.cfg.DataDir,
		"services", a.cfg.Services)
	return nil
}

func (a *App) makeDataDir(context.Context) error {
	if err := os.MkdirAll(a.cfg.DataDir, 0o755); err != nil {
		return err
	}
	if a.cfg.SharedDataDir {
		return nil // serve mode: instances may share it
	}
	unlock, err := lockDataDir(a.cfg.DataDir)
	if err != nil {
		return err
	}
	a.unlock = unlock
	return nil
}

// loadKeys loads the access-token signing keys, creating them on first
// start (kept in the data dir unless --jwt-keys names another file).
func (a *App) loadKeys(context.Context) error {
	keys, err := authn.LoadOrCreateKeySet(a.cfg.JWTKeysPath())
	if err != nil {
		return err
	}
	a.tokens = authn.NewTokens(keys, a.cfg.AccessTokenTTL, a.now)
	a.linkKey = keys.LinkKey()
	return nil
}

func (a *App) startNATS(context.Context) error {
	if a.cfg.NATSURL != "" {
		return nil // an external server: nothing to start
	}
	always, interval, err := ParseSync(a.cfg.NATSSync)
	if err != nil {
		return err
	}
	ns, err := natsembed.Start(natsembed.Options{
		StoreDir:      filepath.Join(a.cfg.DataDir, natsStoreDir),
		Listen:        a.cfg.natsListen(),
		MonitorListen: a.cfg.NATSMonitor,
		SyncAlways:    always,
		SyncInterval:  interval,
		Logger:        a.log.With("component", "nats"),
	})
	if err != nil {
		return err
	}
	a.ns = ns
	urlFile := filepath.Join(a.cfg.DataDir, NATSURLFile)
	if u := ns.ClientURL(); u != "" {
		return writeFileAtomic(urlFile, u+"\n")
	}
	if err := os.Remove(urlFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stale %s: %w", urlFile, err)
	}
	return nil
}

func (a *App) connectNATS(ctx context.Context) error {
	connect := func(name string, opts ...nats.Option) (*nats.Conn, error) {
		if a.cfg.NATSURL != "" {
			return a.cfg.natsConnect(name, opts...)
		}
		return a.ns.Connect(name, opts...)
	}
	nc, err := connect("slotwise",
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				a.log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			a.log.Warn("nats async error", "err", err)
		}))
	if err != nil {
		return err
	}
	a.nc = nc
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	a.js = js
	a.dlq = eventbus.NewDLQ(js)
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return eventbus.EnsureStreams(sctx, js, eventbus.StreamConfig{Replicas: a.cfg.streamReplicas(), Domains: a.cat.Domains()})
}

// Shutdown stops the process in dependency order: stop accepting HTTP
// requests and finish the in-flight ones; stop the consumer runtimes (their
// in-flight handlers finish); stop the relays after their final flush; drain
// the NATS connection; stop the server; close the databases. It returns
// every error met, joined.
func (a *App) Shutdown(ctx context.Context) error {
	var errs []error
	errs = append(errs, a.stopHTTP(ctx))
	errs = append(errs, a.stopBackground(ctx))
	errs = append(errs, a.stopRuntimes(ctx))
	errs = append(errs, a.stopRelays(ctx))
	errs = append(errs, a.closeNATS(ctx))
	errs = append(errs, a.closeDatabases())
	if a.unlock != nil {
		a.unlock()
		a.unlock = nil
	}
	a.log.Info("slotwise stopped")
	return errors.Join(errs...)
}

func (a *App) stopHTTP(ctx context.Context) error {
	if a.httpSrv == nil {
		if a.httpLn != nil { // bound, never served: a start that failed
			_ = a.httpLn.Close()
			a.httpLn = nil
		}
		return nil
	}
	a.removeFile(HTTPAddrFile)
	err := a.httpSrv.Shutdown(ctx)
	if err != nil {
		err = fmt.Errorf("http shutdown: %w", err)
	}
	if serveErr := <-a.httpDone; serveErr != nil {
		err = errors.Join(err, fmt.Errorf("http serve: %w", serveErr))
	}
	a.httpSrv = nil
	return err
}

func (a *App) stopRelays(ctx context.Context) error {
	if a.relayCancel == nil {
		return nil
	}
	a.relayCancel()
	done := make(chan struct{})
	go func() {
		a.relays.Wait()
		close(done)
	}()
	select {
	case <-done:
		a.relayCancel = nil
		return nil
	case <-ctx.Done():
		return fmt.Errorf("relays did not finish their final flush: %w", ctx.Err())
	}
}

func (a *App) closeNATS(ctx context.Context) error {
	var err error
	if a.nc != nil {
		err = drain(ctx, a.nc)
		a.nc = nil
	}
	if a.ns != nil {
		a.removeFile(NATSURLFile)
		a.ns.Shutdown()
		a.ns = nil
	}
	return err
}

// drain drains a connection (pending publishes flushed, subscriptions
// finished) and waits until it is closed or ctx ends.
func drain(ctx context.Context, nc *nats.Conn) error {
	closed := make(chan struct{})
	nc.SetClosedHandler(func(*nats.Conn) { close(closed) })
	if err := nc.Drain(); err != nil {
		nc.Close()
		if errors.Is(err, nats.ErrConnectionClosed) {
			return nil
		}
		return fmt.Errorf("nats drain: %w", err)
	}
	select {
	case <-closed:
		return nil
	case <-ctx.Done():
		nc.Close()
		return fmt.Errorf("nats drain: %w", ctx.Err())
	}
}

// listenHTTP binds the HTTP address early, so that the services know the
// address they are reached at (PublicURL) even when port 0 picks it.
// Nothing is served until startHTTP.
func (a *App) listenHTTP(context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return err
	}
	a.httpLn = ln
	a.httpAddr = ln.Addr().String()
	return nil
}

// PublicURL returns the absolute base URL of links SlotWise sends people:
// Config.PublicURL, or the HTTP address it listens on.
func (a *App) PublicURL() string {
	if a.cfg.PublicURL != "" {
		return strings.TrimSuffix(a.cfg.PublicURL, "/")
	}
	return "http://" + a.httpAddr
}

func (a *App) startHTTP(context.Context) error {
	ln := a.httpLn
	a.httpLn = nil
	a.httpSrv = &http.Server{
		Handler:           a.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	a.httpDone = make(chan error, 1)
	go func() {
		err := a.httpSrv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		a.httpDone <- err
	}()
	a.log.Info("http listening", "addr", a.httpAddr)
	return writeFileAtomic(filepath.Join(a.cfg.DataDir, HTTPAddrFile), a.httpAddr+"\n")
}

func (a *App) removeFile(name string) {
	p := filepath.Join(a.cfg.DataDir, name)
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		a.log.Warn("remove file", "path", p, "err", err)
	}
}

// writeFileAtomic writes a small file so that a reader never sees it half
// written.
func writeFileAtomic(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
