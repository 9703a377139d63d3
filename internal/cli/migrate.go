package cli

import (
	"context"
	"fmt"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// migrateCmd is `slotwise migrate`: apply the platform's and the services'
// migrations to each service database, then exit.
func migrateCmd(ctx context.Context, e *env, args []string) int {
	cfg := app.Defaults()
	var dbURLs []string
	fs := newFlagSet(e, "migrate", "migrate [--data-dir D | --database-url URL | --database-url service=url ...] [--services a,b] [--jwt-keys FILE]")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "data `directory` holding <service>.db for services without a --database-url")
	fs.Var(&listFlag{p: &dbURLs, check: checkServeDatabaseURL}, "database-url", "a PostgreSQL `url` shared by the services (each in its own schema, created when missing), or service=url per service; repeatable or comma-separated")
	fs.StringVar(&cfg.JWTKeysFile, "jwt-keys", "", "signing key `file` to create when missing (the one every `serve` instance shares)")
	fs.Var(&listFlag{p: &cfg.Services, check: checkService}, "services", "`names` of the services to migrate, comma-separated")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	urls, err := serviceDatabaseURLs(dbURLs, cfg.Services, false)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	cfg.DatabaseURLs = urls
	if err := cfg.Validate(); err != nil {
		return usageError(fs, "invalid setting: %v", err)
	}
	for _, svc := range cfg.Services {
		url := cfg.DatabaseURL(svc)
		if err := app.EnsureSchema(ctx, url); err != nil {
			fmt.Fprintf(e.stderr, "slotwise migrate: %s: %v\n", svc, err)
			return 1
		}
		db, err := app.OpenAndMigrate(ctx, svc, url)
		if err != nil {
			fmt.Fprintf(e.stderr, "slotwise migrate: %s: %v\n", svc, err)
			return 1
		}
		if err := db.Close(); err != nil {
			fmt.Fprintf(e.stderr, "slotwise migrate: %s: close: %v\n", svc, err)
			return 1
		}
		fmt.Fprintf(e.stdout, "%-12s migrated  %s\n", svc, sqldb.Redact(url))
	}
	if cfg.JWTKeysFile != "" {
		if _, err := authn.LoadOrCreateKeySet(cfg.JWTKeysFile); err != nil {
			fmt.Fprintf(e.stderr, "slotwise migrate: signing keys: %v\n", err)
			return 1
		}
		fmt.Fprintf(e.stdout, "%-12s ready     %s\n", "jwt-keys", cfg.JWTKeysFile)
	}
	return 0
}
