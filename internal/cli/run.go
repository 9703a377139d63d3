package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/demo"
)

// runFlags registers every Config field as a flag of fs.
func runFlags(fs *flag.FlagSet, c *app.Config, dbURLs *[]string) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "`directory` for the NATS store, the SQLite databases and the address files")
	fs.Var(addrFlag{&c.HTTPAddr}, "http", "HTTP listen `address` (host:port; port 0 picks a free one, written to <data-dir>/http.addr)")
	fs.Var(natsListenFlag{addrFlag{&c.NATSListen}}, "nats-listen", "embedded NATS client `address` (host:port); empty: 127.0.0.1 on a free port, \"none\": in-process only")
	fs.Var(optionalAddrFlag{addrFlag{&c.NATSMonitor}}, "nats-monitor", "embedded NATS monitoring `address` (host:port); empty: none")
	fs.Var(natsURLFlag{&c.NATSURL}, "nats-url", "external NATS server `URL` to use instead of the embedded one (several instances then share its event log)")
	fs.Var(syncFlag{&c.NATSSync}, "nats-sync", "JetStream fsync `policy`: \"always\" (every acknowledged write is on disk) or an interval such as 2m (acknowledged writes of the last interval can be lost on power failure)")
	fs.Var(&listFlag{p: &c.Services, check: checkService}, "services", "`names` of the services to run, comma-separated")
	fs.Var(&listFlag{p: dbURLs, check: checkDatabaseURL}, "database-url", "a service's database as `service=url` (postgres://… or sqlite:<path>), repeatable or comma-separated; default sqlite:<data-dir>/<service>.db")
	fs.Var(intFlag{&c.RetryAttempts, 1, 100}, "retry-attempts", "`number` of deliveries of a failing event before it is dead-lettered")
	fs.Var(durationFlag{&c.RetryBaseDelay}, "retry-base-delay", "first retry `delay`; doubles per attempt")
	fs.Var(durationFlag{&c.RetryMaxDelay}, "retry-max-delay", "longest retry `delay`")
	fs.Var(durationFlag{&c.AckWait}, "ack-wait", "`duration` JetStream waits for a handler's ack before redelivering")
	fs.StringVar(&c.JWTKeysFile, "jwt-keys", c.JWTKeysFile, "`file` with the access-token signing keys (created when missing); default <data-dir>/jwt-keys.json")
	fs.Var(durationFlag{&c.AccessTokenTTL}, "access-token-ttl", "access token `lifetime`")
	fs.StringVar(&c.SMTPURL, "smtp-url", c.SMTPURL, "notification mail server `URL`: smtp://[user:pass@]host[:port][?starttls=required|opportunistic|none]; empty: log messages instead of sending")
	fs.StringVar(&c.MailFrom, "mail-from", c.MailFrom, "sender `address` of notification e-mails")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "absolute base `URL` people reach SlotWise at, for links in e-mails and pages (e.g. https://book.example.com); default http://<http address>")
	fs.Var(durationFlag{&c.HoldDuration}, "hold", "`duration` a booking that must be paid stays pending before it expires")
	fs.Var(enumFlag{&c.Payment.Provider, []string{"sandbox", "stripe"}}, "payment-provider", "payment `provider`: sandbox (test cards, no network) or stripe")
	fs.StringVar(&c.Payment.StripeAPIURL, "stripe-api-url", c.Payment.StripeAPIURL, "Stripe API base `URL` (e.g. stripe-mock's); default api.stripe.com")
	fs.StringVar(&c.Payment.StripeSecretKey, "stripe-secret-key", c.Payment.StripeSecretKey, "Stripe API `key` (prefer SLOTWISE_STRIPE_SECRET_KEY to keep it out of the process list)")
	fs.StringVar(&c.Payment.StripeWebhookSecret, "stripe-webhook-secret", c.Payment.StripeWebhookSecret, "Stripe webhook signing `secret` (prefer SLOTWISE_STRIPE_WEBHOOK_SECRET)")
	fs.Var(durationFlag{&c.Payment.RefundWindow}, "refund-window", "a paid booking cancelled at least this `duration` before its start is refunded in full")
	fs.Var(intFlag{&c.Payment.LateRefundPercent, 0, 100}, "late-refund-percent", "`percent` of the amount refunded for a later cancellation")
	fs.Var(durationFlag{&c.RelayInterval}, "relay-interval", "outbox relay fallback polling `interval`")
	fs.Var(intFlag{&c.RelayBatch, 1, 100}, "relay-batch", "outbox `rows` published per batch")
	fs.Var(durationFlag{&c.LagInterval}, "lag-interval", "`interval` between measurements of consumer lag and DLQ size")
	fs.Var(durationFlag{&c.ShutdownTimeout}, "shutdown-timeout", "`duration` bound on the whole shutdown sequence")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "seed a demo business after start and print its owner's login (idempotent)")
	fs.Var(enumFlag{&c.LogLevel, []string{"debug", "info", "warn", "error"}}, "log-level", "log `level`: debug, info, warn or error")
	fs.Var(enumFlag{&c.LogFormat, []string{"text", "json"}}, "log-format", "log `format`: text or json (logs go to stderr)")
}

// runConfig parses run's flags into a validated Config.
func runConfig(e *env, args []string) (app.Config, int, bool) {
	cfg := app.Defaults()
	fs := newFlagSet(e, "run", "run [flags]")
	var dbURLs []string
	runFlags(fs, &cfg, &dbURLs)
	if code, ok := parseFlags(fs, e, args); !ok {
		return cfg, code, false
	}
	if fs.NArg() > 0 {
		return cfg, usageError(fs, "unexpected argument %q", fs.Arg(0)), false
	}
	cfg.DatabaseURLs = databaseURLs(dbURLs)
	if err := cfg.Validate(); err != nil {
		return cfg, usageError(fs, "invalid setting: %v", err), false
	}
	return cfg, 0, true
}

// runCmd is `slotwise run`: start, wait for ctx (SIGINT/SIGTERM), shut down.
func runCmd(ctx context.Context, e *env, args []string) int {
	cfg, code, ok := runConfig(e, args)
	if !ok {
		return code
	}
	log := newLogger(e.stderr, cfg.LogLevel, cfg.LogFormat)
	a, err := app.New(cfg, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "slotwise run: %v\n", err)
		return 2
	}
	if err := a.Start(ctx); err != nil {
		log.Error("start failed", "err", err)
		return 1
	}
	if cfg.Demo {
		seedDemo(ctx, e, a, cfg, log)
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

// seedDemo seeds the demo business through the running API and prints the
// owner's login to stdout; a failure is logged and the process keeps running.
func seedDemo(ctx context.Context, e *env, a *app.App, cfg app.Config, log *slog.Logger) {
	base := "http://" + a.HTTPAddr()
	if host, port, err := net.SplitHostPort(a.HTTPAddr()); err == nil && net.ParseIP(host).IsUnspecified() {
		base = "http://" + net.JoinHostPort("127.0.0.1", port) // listening on every interface
	}
	creds, err := demo.Seeder{BaseURL: base, DataDir: cfg.DataDir}.Seed(ctx)
	if err != nil {
		log.Error("demo seeding failed", "err", err)
		return
	}
	demo.Print(e.stdout, base, creds)
}

// newLogger returns the process logger writing to w.
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level)) // validated: debug, info, warn or error
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
