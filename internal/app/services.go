package app

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// service is one started module: its database, outbox, relay and runtime.
type service struct {
	mod      Module
	deps     Deps
	db       *sqldb.DB
	outbox   *eventbus.Outbox
	relay    *eventbus.Relay
	runtime  *eventbus.Runtime
	inst     Instance
	relayErr atomic.Pointer[error] // set when the relay stopped on its own
}

// openServices opens and migrates each service's database and builds its
// outbox, relay and consumer runtime.
func (a *App) openServices(ctx context.Context) error {
	for _, name := range a.cfg.Services {
		mod, _ := moduleByName(name)
		s, err := a.openService(ctx, mod)
		if s != nil {
			a.services = append(a.services, s)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		a.initServiceMetrics(name)
	}
	return nil
}

func (a *App) openService(ctx context.Context, mod Module) (*service, error) {
	db, err := OpenAndMigrate(ctx, mod.Name, a.cfg.DatabaseURL(mod.Name))
	if err != nil {
		return nil, err
	}
	log := a.log.With("service", mod.Name)
	s := &service{mod: mod, db: db}
	s.outbox = eventbus.NewOutbox(db, stores.Outbox(db), mod.Name, a.cat, eventbus.OutboxOptions{Clock: a.now})
	// The relay adds the service attribute itself.
	s.relay = eventbus.NewRelay(s.outbox, eventbus.JetStreamPublisher{JS: a.js}, a.metrics, a.log.With("component", "relay"), a.relayConfig())
	s.runtime, err = eventbus.NewRuntime(eventbus.RuntimeConfig{
		JS:      a.js,
		DB:      db,
		Inbox:   stores.Inbox(db),
		Catalog: a.cat,
		Metrics: a.metrics,
		Logger:  log.With("component", "consumer"),
		Retry: eventbus.RetryPolicy{
			Attempts:  a.cfg.RetryAttempts,
			BaseDelay: a.cfg.RetryBaseDelay,
			MaxDelay:  a.cfg.RetryMaxDelay,
		},
		AckWait:     a.cfg.AckWait,
		LagInterval: a.cfg.LagInterval,
		Clock:       a.now,
	})
	if err != nil {
		return s, fmt.Errorf("consumer runtime: %w", err)
	}
	s.deps = Deps{Service: mod.Name, DB: db, Outbox: s.outbox, Logger: log, Now: a.now, Tokens: a.tokens, DataDir: a.cfg.DataDir, Payment: a.cfg.Payment,
		Hold: a.cfg.HoldDuration, SMTPURL: a.cfg.SMTPURL, MailFrom: a.cfg.MailFrom, PollInterval: a.cfg.RelayInterval,
		LinkKey: a.linkKey, PublicURL: a.PublicURL(), Built: &a.built,
		Retry: eventbus.RetryPolicy{Attempts: a.cfg.RetryAttempts, BaseDelay: a.cfg.RetryBaseDelay, MaxDelay: a.cfg.RetryMaxDelay}}
	if mod.New != nil {
		if s.inst, err = mod.New(s.deps); err != nil {
			return s, fmt.Errorf("build service: %w", err)
		}
	}
	return s, nil
}

// OpenAndMigrate opens a service's database and applies the platform's and
// the service's migrations. It is what `slotwise migrate` runs.
func OpenAndMigrate(ctx context.Context, service, url string) (*sqldb.DB, error) {
	mod, ok := moduleByName(service)
	if !ok {
		return nil, fmt.Errorf("unknown service %q", service)
	}
	db, err := sqldb.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db, mod); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return db, nil
}

func migrate(ctx context.Context, db *sqldb.DB, mod Module) error {
	if err := stores.Migrate(ctx, db); err != nil {
		return fmt.Errorf("platform tables: %w", err)
	}
	if mod.Migrations == nil {
		return nil
	}
	if fsys := mod.Migrations(db.Engine); fsys != nil {
		if _, err := db.Migrate(ctx, mod.Name, fsys); err != nil {
			return err
		}
	}
	return nil
}

// subscribe registers every module's handlers with its runtime, which
// starts consuming at once. It runs after the relays start, so a handler
// that records events sees them published.
func (a *App) subscribe(ctx context.Context) error {
	for _, s := range a.services {
		for _, sub := range s.inst.Subscriptions {
			if sub.Service == "" {
				sub.Service = s.mod.Name
			}
			if err := s.runtime.Subscribe(ctx, sub); err != nil {
				return fmt.Errorf("%s: subscribe %s: %w", s.mod.Name, sub.Name, err)
			}
		}
	}
	return nil
}

// startRelays starts one relay per service. Each relay keeps its service's
// outbox backlog gauges current; the runtimes do the same for consumer lag
// and the DLQ size.
func (a *App) startRelays(context.Context) error {
	ctx, cancel := context.WithCancel(context.Background())
	a.relayCancel = cancel
	for _, s := range a.services {
		a.relays.Add(1)
		go a.runRelay(ctx, s)
	}
	return nil
}

func (a *App) runRelay(ctx context.Context, s *service) {
	defer a.relays.Done()
	err := s.relay.Run(ctx)
	if err == nil && ctx.Err() == nil {
		err = errors.New("relay stopped")
	}
	if err != nil && ctx.Err() == nil {
		s.relayErr.Store(&err)
		a.log.Error("relay stopped", "service", s.mod.Name, "err", err)
	}
}

// initServiceMetrics gives the per-service series a zero value so that
// they show before the first event.
func (a *App) initServiceMetrics(name string) {
	a.metrics.OutboxPending.WithLabelValues(name)
	a.metrics.OutboxOldest.WithLabelValues(name)
	a.metrics.PublishFailed.WithLabelValues(name)
}

func (a *App) stopRuntimes(ctx context.Context) error {
	var errs []error
	for _, s := range a.services {
		if s.runtime == nil {
			continue
		}
		if err := s.runtime.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s consumers: %w", s.mod.Name, err))
		}
	}
	return errors.Join(errs...)
}

func (a *App) closeDatabases() error {
	var errs []error
	for _, s := range a.services {
		if err := s.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s database: %w", s.mod.Name, err))
		}
	}
	a.services = nil
	return errors.Join(errs...)
}

func (a *App) relayConfig() eventbus.RelayConfig {
	return eventbus.RelayConfig{BatchSize: a.cfg.RelayBatch, PollInterval: a.cfg.RelayInterval}
}
