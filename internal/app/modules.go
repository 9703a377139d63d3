package app

import (
	"context"
	"io/fs"
	"log/slog"
	"time"

	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/httpapi"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Deps is what the composition root hands one module: its own database
// (no module reads another's), its outbox for recording events in the same
// transaction as its state change, a logger and the clock.
type Deps struct {
	Service string
	DB      *sqldb.DB
	Outbox  *eventbus.Outbox
	Logger  *slog.Logger
	Now     func() time.Time
	// Tokens verifies access tokens (every service) and issues them (auth).
	Tokens *authn.Tokens
	// DataDir is the process's data directory (embedded mode).
	DataDir string
	// Hold is how long a booking that must be paid stays pending
	// (Config.HoldDuration; scheduling).
	Hold time.Duration
	// SMTPURL and MailFrom configure the notification e-mail channel
	// (Config.SMTPURL, "" for the log channel; Config.MailFrom).
	SMTPURL, MailFrom string
	// Retry is the consumer runtime's retry policy (Config.Retry*); the
	// notification service retries reminders and webhooks by it too.
	Retry eventbus.RetryPolicy
	// PollInterval is the fallback polling interval of timer loops
	// (Config.RelayInterval).
	PollInterval time.Duration
	// Payment configures the payment service (Config.Payment).
	Payment PaymentConfig
	// LinkKey derives the tokens of manage links (package managetoken);
	// every instance shares it through the signing key file.
	LinkKey []byte
	// PublicURL is the absolute base of links sent to people, without a
	// trailing slash (Config.PublicURL, or the HTTP address).
	PublicURL string
	// Built is where a constructor records the service object it made,
	// for the web pages (see Built).
	Built *Built
}

// Instance is a started module: what it serves and what it consumes.
type Instance struct {
	// Routes registers the service's HTTP handlers; nil for none.
	Routes func(r *httpapi.Router)
	// Subscriptions are the service's event handlers.
	Subscriptions []eventbus.Subscription
	// Background runs the service's own loops (timers such as booking
	// hold expiry) until ctx is cancelled; nil for none. The App starts it
	// after the subscriptions and cancels it, waiting for it to return,
	// right after the HTTP server stops (see background.go).
	Background func(ctx context.Context)
}

// Module is one entry of the module table: a service the binary can run.
// Every field but Name may be nil.
type Module struct {
	// Name is the service name: its database, its outbox's source, the
	// prefix of its consumers.
	Name string
	// Migrations returns the service's own embedded migrations for an
	// engine (the platform's outbox and inbox tables are migrated for every
	// module regardless).
	Migrations func(engine sqldb.Engine) fs.FS
	// OpenAPI is the service's fragment of the OpenAPI 3 document: a JSON
	// object with "paths" and optionally "components"; every route the
	// service registers must be in it, and nothing else.
	OpenAPI []byte
	// New builds the service from its dependencies.
	New func(d Deps) (Instance, error)
}

// modules is the module table, in start order. Each module gets its own
// database, outbox, relay and consumer runtime from the App; New adds the
// service's routes, subscriptions and background loops.
var modules = []Module{
	authModule,
	businessModule,
	schedulingModule,
	paymentModule,
	notificationModule,
}

// ModuleNames returns the names of every module, in start order.
func ModuleNames() []string {
	names := make([]string, len(modules))
	for i, m := range modules {
		names[i] = m.Name
	}
	return names
}

func moduleByName(name string) (Module, bool) {
	for _, m := range modules {
		if m.Name == name {
			return m, true
		}
	}
	return Module{}, false
}
