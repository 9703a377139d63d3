package cli

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// EnvPrefix starts the environment variable of every flag:
// --data-dir is also SLOTWISE_DATA_DIR.
const EnvPrefix = "SLOTWISE_"

// EnvName returns the environment variable that sets a flag.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// newFlagSet returns the flag set of "slotwise <cmd>", reporting errors to
// e.stderr.
func newFlagSet(e *env, cmd, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("slotwise "+cmd, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: slotwise %s\n\nflags (each also read from %s<FLAG>, e.g. %s; a flag beats its variable):\n",
			synopsis, EnvPrefix, EnvName("data-dir"))
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags sets flags from their environment variables, then from args.
// ok is false when the command must exit with code: 0 after --help (the
// usage went to stdout), 2 after a bad value (the reason went to stderr).
func parseFlags(fs *flag.FlagSet, e *env, args []string) (code int, ok bool) {
	if err := setFromEnv(fs, e); err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return 2, false
	}
	usage := fs.Usage
	fs.Usage = func() {} // the flag package calls it on errors too
	err := fs.Parse(args)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(e.stdout)
		fs.Usage()
		fs.SetOutput(e.stderr)
		return 0, false
	case err != nil: // the flag package printed the error
		fmt.Fprintf(e.stderr, "run '%s --help' for usage\n", fs.Name())
		return 2, false
	}
	return 0, true
}

// setFromEnv sets each flag whose SLOTWISE_* variable is set.
func setFromEnv(fs *flag.FlagSet, e *env) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		v, set := e.lookup(EnvName(f.Name))
		if !set || envErr != nil {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			envErr = fmt.Errorf("invalid value %q for %s (flag --%s): %w", v, EnvName(f.Name), f.Name, err)
			return
		}
		if l, isList := f.Value.(*listFlag); isList {
			l.fromEnv = true
		}
	})
	return envErr
}

// usageError prints a usage problem found after parsing and returns 2.
func usageError(fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fmt.Fprintf(fs.Output(), "run '%s --help' for usage\n", fs.Name())
	return 2
}

// addrFlag is a host:port listen address.
type addrFlag struct{ p *string }

func (f addrFlag) String() string {
	if f.p == nil {
		return ""
	}
	return *f.p
}

func (f addrFlag) Set(s string) error {
	if err := app.CheckAddr(s); err != nil {
		return err
	}
	*f.p = s
	return nil
}

// natsListenFlag is a host:port, or "none".
type natsListenFlag struct{ addrFlag }

func (f natsListenFlag) Set(s string) error {
	if s == app.NATSListenNone {
		*f.p = s
		return nil
	}
	return f.addrFlag.Set(s)
}

// optionalAddrFlag is a host:port or empty.
type optionalAddrFlag struct{ addrFlag }

func (f optionalAddrFlag) Set(s string) error {
	if s == "" {
		*f.p = s
		return nil
	}
	return f.addrFlag.Set(s)
}

// syncFlag is the NATS fsync policy.
type syncFlag struct{ p *string }

func (f syncFlag) String() string {
	if f.p == nil {
		return ""
	}
	return *f.p
}

func (f syncFlag) Set(s string) error {
	if _, _, err := app.ParseSync(s); err != nil {
		return err
	}
	*f.p = s
	return nil
}

// durationFlag is a positive duration.
type durationFlag struct{ p *time.Duration }

func (f durationFlag) String() string {
	if f.p == nil {
		return ""
	}
	return f.p.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as 500ms, 5s or 2m")
	}
	if d <= 0 {
		return fmt.Errorf("must be positive")
	}
	*f.p = d
	return nil
}

// intFlag is an int within [min, max].
type intFlag struct {
	p        *int
	min, max int
}

func (f intFlag) String() string {
	if f.p == nil {
		return ""
	}
	return strconv.Itoa(*f.p)
}

func (f intFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < f.min || n > f.max {
		return fmt.Errorf("want an integer from %d to %d", f.min, f.max)
	}
	*f.p = n
	return nil
}

// enumFlag is one of a fixed set of words.
type enumFlag struct {
	p       *string
	allowed []string
}

func (f enumFlag) String() string {
	if f.p == nil {
		return ""
	}
	return *f.p
}

func (f enumFlag) Set(s string) error {
	if !slices.Contains(f.allowed, s) {
		return fmt.Errorf("want one of %s", strings.Join(f.allowed, ", "))
	}
	*f.p = s
	return nil
}

// listFlag collects values from a repeated flag or a comma-separated list.
// Values from the environment are replaced, not extended, by the first
// value given on the command line (a flag beats its variable).
type listFlag struct {
	p       *[]string
	check   func(string) error
	fromEnv bool
	set     bool
}

func (f *listFlag) String() string {
	if f.p == nil {
		return ""
	}
	return strings.Join(*f.p, ",")
}

func (f *listFlag) Set(s string) error {
	if f.fromEnv || !f.set {
		*f.p, f.fromEnv, f.set = nil, false, true
	}
	for _, v := range strings.Split(s, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if f.check != nil {
			if err := f.check(v); err != nil {
				return err
			}
		}
		*f.p = append(*f.p, v)
	}
	return nil
}

// checkService checks a module name.
func checkService(s string) error {
	if slices.Contains(app.ModuleNames(), s) {
		return nil
	}
	return fmt.Errorf("unknown service %q (known: %s)", s, strings.Join(app.ModuleNames(), ", "))
}

// checkDatabaseURL checks a service=url pair.
func checkDatabaseURL(s string) error {
	svc, u, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("want service=url, e.g. scheduling=postgres://host/db, got %q", s)
	}
	if err := checkService(svc); err != nil {
		return err
	}
	if _, err := sqldb.EngineOf(u); err != nil {
		return err
	}
	return nil
}

// databaseURLs turns service=url pairs into a map.
func databaseURLs(pairs []string) map[string]string {
	m := map[string]string{}
	for _, p := range pairs {
		svc, u, _ := strings.Cut(p, "=")
		m[svc] = u
	}
	return m
}

// natsURLFlag is a nats:// (or tls://, ws://, wss://) server URL.
type natsURLFlag struct{ p *string }

func (f natsURLFlag) String() string {
	if f.p == nil {
		return ""
	}
	return *f.p
}

func (f natsURLFlag) Set(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || !slices.Contains([]string{"nats", "tls", "ws", "wss"}, u.Scheme) {
		return fmt.Errorf("want a URL such as nats://127.0.0.1:4222, got %q", s)
	}
	*f.p = s
	return nil
}
