package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// eventsReplayCmd is `slotwise events replay --service S`: rebuild a
// service's projections from the event log and print what was applied.
func eventsReplayCmd(ctx context.Context, e *env, args []string) int {
	var a attach
	var service string
	fs := newFlagSet(e, "events replay", "events replay --service scheduling [--data-dir D | --nats-url U --database-url scheduling=URL]")
	a.registerNATS(fs)
	fs.Var(&listFlag{p: &a.dbURLs, check: checkDatabaseURL}, "database-url", "the service's database as `service=url` (default: its SQLite file in --data-dir)")
	fs.StringVar(&service, "service", "", "the `service` whose projections to rebuild (scheduling)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	if service == "" {
		return usageError(fs, "--service is required")
	}
	cfg := app.Defaults()
	cfg.DataDir, cfg.DatabaseURLs = a.dataDir, databaseURLs(a.dbURLs)
	nc, js, err := a.connect()
	if err != nil {
		return fail(e, "events replay", err)
	}
	defer nc.Close()
	url := cfg.DatabaseURL(service)
	res, err := app.ReplayProjections(ctx, service, url, js)
	if err != nil {
		return fail(e, "events replay", err)
	}
	types := make([]string, 0, len(res.Applied))
	for t := range res.Applied {
		types = append(types, t)
	}
	slices.Sort(types)
	for _, t := range types {
		fmt.Fprintf(e.stdout, "%-22s %d\n", t, res.Applied[t])
	}
	fmt.Fprintf(e.stdout, "replayed %d events into %s's projections (%s); skipped %d unusable\n",
		res.Total(), service, sqldb.Redact(url), res.Skipped)
	return 0
}
