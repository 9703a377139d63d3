package app

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// NATSListenNone is the NATSListen value that starts the embedded server
// without a TCP listener: only the process itself can connect, so the ops
// commands need another way in (there is none; use it for tests and
// locked-down single-process runs).
const NATSListenNone = "none"

// NATSSyncAlways is the NATSSync value that fsyncs every JetStream write
// before acknowledging it.
const NATSSyncAlways = "always"

// Config is everything `slotwise run` can be told. Start from Defaults; the
// cli fills it from flags and SLOTWISE_* variables and calls Validate.
type Config struct {
	// DataDir holds the NATS store, one SQLite file per service and the
	// files naming the live addresses (nats.url, http.addr).
	DataDir string
	// HTTPAddr is the HTTP listen address; port 0 picks a free port (the
	// chosen address is written to <DataDir>/http.addr).
	HTTPAddr string
	// NATSListen is the embedded server's client address. Empty means
	// "127.0.0.1:0" (a free loopback port, written to <DataDir>/nats.url);
	// NATSListenNone means in-process connections only.
	NATSListen string
	// NATSMonitor is the embedded server's HTTP monitoring address; empty
	// for none.
	NATSMonitor string
	// NATSURL, when set, is an external NATS server (with JetStream) to
	// connect to instead of starting the embedded one: several instances
	// then share one event log (the NATS* listen, monitor and sync
	// settings do not apply).
	NATSURL string
	// NATSSync is the JetStream fsync policy: NATSSyncAlways (the default:
	// every acknowledged write is on disk) or a duration such as "2m", the
	// interval between fsyncs — acknowledged writes of the last interval can
	// then be lost on power failure. See docs/operations.md.
	NATSSync string
	// NATSClient authenticates to the external server (NATSURL): creds or
	// user/password, TLS. See natsclient.go.
	NATSClient NATSClient
	// StreamReplicas of the event-log and DLQ streams; 0 means 1 (embedded).
	// A 3-node cluster runs them with 3.
	StreamReplicas int
	// SharedDataDir skips the data dir lock (`slotwise serve`: the data dir
	// then holds only the address files and, by default, the signing keys).
	SharedDataDir bool
	// Services are the modules to run (default: every module, in table
	// order).
	Services []string
	// DatabaseURLs overrides a service's database: service name → URL
	// (postgres://… or sqlite:<path>). A service without an entry gets
	// sqlite:<DataDir>/<service>.db.
	DatabaseURLs map[string]string
	// Retry is the consumers' retry policy: attempts before the dead letter
	// queue, and the exponential backoff between them.
	RetryAttempts  int
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	// AckWait is how long JetStream waits for a consumer's ack before it
	// redelivers.
	AckWait time.Duration
	// Clock is the time source of every service (tests inject one to move
	// time: token expiry, booking holds, reminders); nil means time.Now.
	// It has no flag.
	Clock func() time.Time
	// HoldDuration is how long a booking that must be paid stays pending
	// before it expires and frees its slot.
	HoldDuration time.Duration
	// SMTPURL is the notification service's mail server,
	// smtp://[user:pass@]host[:port][?starttls=required|opportunistic|none];
	// empty: the log channel (messages are logged, not sent).
	SMTPURL string
	// MailFrom is the sender of notification e-mails.
	MailFrom string
	// PublicURL is the absolute base URL people reach SlotWise at (links
	// in e-mails and pages), e.g. https://book.example.com; empty means
	// http://<the HTTP address>.
	PublicURL string
	// Payment configures the payment service: its provider, Stripe's
	// settings and the refund policy (see mod_payment.go).
	Payment PaymentConfig
	// JWTKeysFile holds the access-token signing keys; empty means
	// <DataDir>/jwt-keys.json (created on first start).
	JWTKeysFile string
	// AccessTokenTTL is the lifetime of an access token.
	AccessTokenTTL time.Duration
	// RelayInterval is the relay's fallback polling interval (it is woken
	// at once after a commit; polling only catches what a wake-up missed).
	RelayInterval time.Duration
	// RelayBatch is the most outbox rows the relay publishes per batch.
	RelayBatch int
	// LagInterval is how often the consumer-lag and DLQ-size gauges are
	// refreshed (the outbox gauges follow every relay pass).
	LagInterval time.Duration
	// ShutdownTimeout bounds the whole shutdown sequence.
	ShutdownTimeout time.Duration
	// Demo seeds a demo business through the HTTP API after start
	// (`slotwise run --demo`); the app itself does not read it.
	Demo bool
	// LogLevel is debug, info, warn or error; LogFormat is text or json.
	LogLevel  string
	LogFormat string
}

// Defaults returns the configuration of a plain `slotwise run`.
func Defaults() Config {
	return Config{
		DataDir:         "./data",
		HTTPAddr:        "127.0.0.1:8080",
		NATSSync:        NATSSyncAlways,
		Services:        ModuleNames(),
		RetryAttempts:   eventbus.DefaultAttempts,
		RetryBaseDelay:  eventbus.DefaultBaseDelay,
		RetryMaxDelay:   eventbus.DefaultMaxDelay,
		AckWait:         eventbus.DefaultAckWait,
		RelayInterval:   time.Second,
		RelayBatch:      100,
		AccessTokenTTL:  15 * time.Minute,
		HoldDuration:    15 * time.Minute,
		MailFrom:        "SlotWise <no-reply@slotwise.local>",
		Payment:         defaultPaymentConfig(),
		LagInterval:     eventbus.DefaultLagInterval,
		ShutdownTimeout: 30 * time.Second,
		LogLevel:        "info",
		LogFormat:       "text",
	}
}

// Validate reports the first setting that cannot work, naming it.
func (c Config) Validate() error {
	checks := []func() error{
		c.validateAddrs,
		c.validateSync,
		c.validateNATSClient, // natsclient.go
		c.validateServices,
		c.validateDurations,
		c.validateLog,
		c.validateMail,    // mod_notification.go
		c.validatePayment, // mod_payment.go
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (c Config) validateAddrs() error {
	if c.DataDir == "" {
		return errors.New("data-dir: must not be empty")
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("public-url: want an absolute http(s) URL such as https://book.example.com, got %q", c.PublicURL)
		}
	}
	if err := CheckAddr(c.HTTPAddr); err != nil {
		return fmt.Errorf("http: %w", err)
	}
	if c.NATSListen != "" && c.NATSListen != NATSListenNone {
		if err := CheckAddr(c.NATSListen); err != nil {
			return fmt.Errorf("nats-listen: %w", err)
		}
	}
	if c.NATSMonitor != "" {
		if err := CheckAddr(c.NATSMonitor); err != nil {
			return fmt.Errorf("nats-monitor: %w", err)
		}
	}
	return nil
}

func (c Config) validateSync() error {
	_, _, err := ParseSync(c.NATSSync)
	if err != nil {
		return fmt.Errorf("nats-sync: %w", err)
	}
	return nil
}

func (c Config) validateServices() error {
	if len(c.Services) == 0 {
		return errors.New("services: at least one is required")
	}
	seen := map[string]bool{}
	for _, s := range c.Services {
		if _, ok := moduleByName(s); !ok {
			return fmt.Errorf("services: unknown service %q (known: %s)", s, strings.Join(ModuleNames(), ", "))
		}
		if seen[s] {
			return fmt.Errorf("services: %q listed twice", s)
		}
		seen[s] = true
	}
	for s, u := range c.DatabaseURLs {
		if _, ok := moduleByName(s); !ok {
			return fmt.Errorf("database-url: unknown service %q (known: %s)", s, strings.Join(ModuleNames(), ", "))
		}
		if _, err := sqldb.EngineOf(u); err != nil {
			return fmt.Errorf("database-url %s: %w", s, err)
		}
	}
	return nil
}

func (c Config) validateDurations() error {
	positive := []struct {
		name string
		d    time.Duration
	}{
		{"retry-base-delay", c.RetryBaseDelay},
		{"retry-max-delay", c.RetryMaxDelay},
		{"ack-wait", c.AckWait},
		{"relay-interval", c.RelayInterval},
		{"lag-interval", c.LagInterval},
		{"shutdown-timeout", c.ShutdownTimeout},
		{"hold", c.HoldDuration},
	}
	for _, p := range positive {
		if p.d <= 0 {
			return fmt.Errorf("%s: must be positive, got %s", p.name, p.d)
		}
	}
	if c.RetryMaxDelay < c.RetryBaseDelay {
		return fmt.Errorf("retry-max-delay: %s is less than retry-base-delay %s", c.RetryMaxDelay, c.RetryBaseDelay)
	}
	if c.RetryAttempts < 1 {
		return fmt.Errorf("retry-attempts: must be at least 1, got %d", c.RetryAttempts)
	}
	if c.RelayBatch < 1 || c.RelayBatch > 100 {
		return fmt.Errorf("relay-batch: must be between 1 and 100, got %d", c.RelayBatch)
	}
	return nil
}

func (c Config) validateLog() error {
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log-level: want debug, info, warn or error, got %q", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log-format: want text or json, got %q", c.LogFormat)
	}
	return nil
}

// CheckAddr checks a "host:port" listen address (port 0 allowed, empty host
// meaning all interfaces).
func CheckAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("want host:port, got %q", addr)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("bad port %q in %q", port, addr)
	}
	if strings.ContainsAny(host, " /\t") {
		return fmt.Errorf("bad host %q in %q", host, addr)
	}
	return nil
}

// ParseSync parses a NATSSync value: NATSSyncAlways, or a positive
// duration between fsyncs.
func ParseSync(s string) (always bool, interval time.Duration, err error) {
	if s == NATSSyncAlways {
		return true, 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return false, 0, fmt.Errorf("want %q or a positive duration such as 2m, got %q", NATSSyncAlways, s)
	}
	return false, d, nil
}

// DatabaseURL returns the database URL of a service.
func (c Config) DatabaseURL(service string) string {
	if u, ok := c.DatabaseURLs[service]; ok {
		return u
	}
	return "sqlite:" + filepath.Join(c.DataDir, service+".db")
}

// natsListen returns the embedded server's listen address ("" for none).
func (c Config) natsListen() string {
	switch c.NATSListen {
	case "":
		return "127.0.0.1:0"
	case NATSListenNone:
		return ""
	}
	return c.NATSListen
}

// Files in the data dir.
const (
	// NATSURLFile holds the embedded server's client URL while it runs.
	NATSURLFile = "nats.url"
	// HTTPAddrFile holds the HTTP listen address while the server runs.
	HTTPAddrFile = "http.addr"
	natsStoreDir = "nats"
)

// JWTKeysPath returns the signing key file in use.
func (c Config) JWTKeysPath() string {
	if c.JWTKeysFile != "" {
		return c.JWTKeysFile
	}
	return filepath.Join(c.DataDir, "jwt-keys.json")
}
