package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/slotwise/slotwise/internal/eventbus"
)

// dlqCmd is `slotwise dlq <sub>`.
func dlqCmd(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "dlq", args, map[string]func(context.Context, *env, []string) int{
		"list":    dlqListCmd,
		"redrive": dlqRedriveCmd,
	})
}

// dlqEntryJSON is one entry of `dlq list --json`.
type dlqEntryJSON struct {
	Seq           uint64          `json:"seq"`
	Consumer      string          `json:"consumer"`
	Subject       string          `json:"subject"`
	EventID       string          `json:"eventId"`
	EventType     string          `json:"eventType"`
	Error         string          `json:"error"`
	RetryCount    int             `json:"retryCount"`
	Timestamp     time.Time       `json:"timestamp"`
	OriginalEvent json.RawMessage `json:"originalEvent,omitempty"`
}

// dlqListCmd prints the dead-lettered events, oldest first.
func dlqListCmd(ctx context.Context, e *env, args []string) int {
	var a attach
	var asJSON bool
	fs := newFlagSet(e, "dlq list", "dlq list [--data-dir D | --nats-url U] [--json]")
	a.registerNATS(fs)
	fs.BoolVar(&asJSON, "json", false, "print JSON (with each original event) instead of a table")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	nc, js, err := a.connect()
	if err != nil {
		return fail(e, "dlq list", err)
	}
	defer nc.Close()
	entries, err := eventbus.NewDLQ(js).List(ctx)
	if err != nil {
		return fail(e, "dlq list", err)
	}
	if asJSON {
		out := make([]dlqEntryJSON, 0, len(entries))
		for _, en := range entries {
			out = append(out, dlqEntryJSON{
				Seq: en.Seq, Consumer: en.Consumer, Subject: en.Subject, EventID: en.EventID,
				EventType: en.EventType, Error: en.Error, RetryCount: en.RetryCount,
				Timestamp: en.Timestamp, OriginalEvent: en.OriginalEvent,
			})
		}
		return writeJSONOut(e, "dlq list", out)
	}
	return printDLQTable(e, entries)
}

func printDLQTable(e *env, entries []eventbus.DLQEntry) int {
	if len(entries) == 0 {
		fmt.Fprintln(e.stdout, "the dead letter queue is empty")
		return 0
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tFAILED AT\tCONSUMER\tTYPE\tEVENT ID\tTRIES\tERROR")
	for _, en := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", en.Seq, en.Timestamp.UTC().Format(time.RFC3339),
			en.Consumer, en.EventType, en.EventID, en.RetryCount, oneLine(en.Error, 80))
	}
	if err := tw.Flush(); err != nil {
		return fail(e, "dlq list", err)
	}
	fmt.Fprintf(e.stdout, "%d dead-lettered; re-drive with: slotwise dlq redrive SEQ | --all\n", len(entries))
	return 0
}

// dlqRedriveCmd re-drives one entry (by DLQ sequence) or all of them to the
// consumer that failed it.
func dlqRedriveCmd(ctx context.Context, e *env, args []string) int {
	var a attach
	var all bool
	fs := newFlagSet(e, "dlq redrive", "dlq redrive [--data-dir D | --nats-url U] SEQ | --all")
	a.registerNATS(fs)
	fs.BoolVar(&all, "all", false, "re-drive every entry")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	seq, code, ok := redriveTarget(fs, all)
	if !ok {
		return code
	}
	nc, js, err := a.connect()
	if err != nil {
		return fail(e, "dlq redrive", err)
	}
	defer nc.Close()
	dlq := eventbus.NewDLQ(js)
	if all {
		n, err := dlq.RedriveAll(ctx)
		fmt.Fprintf(e.stdout, "re-drove %d event(s)\n", n)
		if err != nil {
			return fail(e, "dlq redrive", err)
		}
		return 0
	}
	if err := dlq.Redrive(ctx, seq); err != nil {
		if errors.Is(err, eventbus.ErrDLQEntryNotFound) {
			return fail(e, "dlq redrive", fmt.Errorf("no DLQ entry with sequence %d (see slotwise dlq list)", seq))
		}
		return fail(e, "dlq redrive", err)
	}
	fmt.Fprintf(e.stdout, "re-drove DLQ entry %d\n", seq)
	return 0
}

// redriveTarget checks that exactly one of SEQ and --all was given.
func redriveTarget(fs *flag.FlagSet, all bool) (uint64, int, bool) {
	switch {
	case all && fs.NArg() == 0:
		return 0, 0, true
	case !all && fs.NArg() == 1:
		seq, err := strconv.ParseUint(fs.Arg(0), 10, 64)
		if err != nil || seq == 0 {
			return 0, usageError(fs, "SEQ must be a DLQ sequence number (see slotwise dlq list), got %q", fs.Arg(0)), false
		}
		return seq, 0, true
	}
	return 0, usageError(fs, "give exactly one of SEQ or --all"), false
}

// oneLine shortens s to one line of at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
