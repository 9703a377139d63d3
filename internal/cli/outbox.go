package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
)

// outboxCmd is `slotwise outbox <sub>`.
func outboxCmd(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "outbox", args, map[string]func(context.Context, *env, []string) int{
		"status": outboxStatusCmd,
	})
}

// outboxStatusJSON is one service's line of `outbox status --json`.
type outboxStatusJSON struct {
	Service              string  `json:"service"`
	Pending              int64   `json:"pending"`
	Failed               int64   `json:"failed"`
	OldestPendingSeconds float64 `json:"oldestPendingSeconds"`
}

// outboxStatusCmd prints each service's unpublished outbox rows.
func outboxStatusCmd(ctx context.Context, e *env, args []string) int {
	var a attach
	var asJSON bool
	fs := newFlagSet(e, "outbox status", "outbox status [--data-dir D | --database-url service=url ...] [--json]")
	a.registerDatabases(fs)
	fs.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	dbs, err := a.databases()
	if err != nil {
		return fail(e, "outbox status", err)
	}
	var rows []outboxStatusJSON
	for _, d := range dbs {
		st, err := a.outboxStatus(ctx, d)
		if err != nil {
			return fail(e, "outbox status", err)
		}
		rows = append(rows, outboxStatusJSON{d.service, st.Pending, st.Failed, st.OldestPendingAge.Seconds()})
	}
	if asJSON {
		return writeJSONOut(e, "outbox status", rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tPENDING\tFAILED\tOLDEST PENDING")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", r.Service, r.Pending, r.Failed, age(r.OldestPendingSeconds))
	}
	if err := tw.Flush(); err != nil {
		return fail(e, "outbox status", err)
	}
	return 0
}

func (a *attach) outboxStatus(ctx context.Context, d serviceDB) (st eventbus.OutboxStatus, err error) {
	db, err := a.openDB(ctx, d)
	if err != nil {
		return st, err
	}
	defer func() {
		if cerr := db.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close %s database: %w", d.service, cerr))
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	o := eventbus.NewOutbox(db, stores.Outbox(db), d.service, catalog.Default(), eventbus.OutboxOptions{})
	st, err = o.Status(ctx)
	if err != nil {
		return st, fmt.Errorf("%s outbox: %w", d.service, err)
	}
	return st, nil
}

// age renders a number of seconds as a short duration, "-" for none.
func age(seconds float64) string {
	if seconds <= 0 {
		return "-"
	}
	return time.Duration(seconds * float64(time.Second)).Round(time.Millisecond).String()
}

// writeJSONOut prints v as indented JSON.
func writeJSONOut(e *env, cmd string, v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fail(e, cmd, err)
	}
	return 0
}
