package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// env is what a subcommand reads and writes besides its arguments.
type env struct {
	stdout, stderr io.Writer
	lookup         func(string) (string, bool)
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands lists the subcommands, in the order usage shows them.
func commands() []command {
	return []command{
		{"run", "run every service in one process (embedded NATS, one SQLite database per service)", runCmd},
		{"serve", "run some services against an external NATS cluster and PostgreSQL (any number of instances)", serveCmd},
		{"migrate", "apply the database migrations and exit", migrateCmd},
		{"events", "follow the event log: events tail [--type T] [--correlation-id C] [--from-start] [--json] | events replay --service S", eventsCmd},
		{"dlq", "dead letter queue: dlq list [--json] | dlq redrive SEQ|--all", dlqCmd},
		{"outbox", "outbox backlog per service: outbox status [--json]", outboxCmd},
		{"admin", "accounts: admin create-user --email E --password P --first-name F --last-name L [--role R]", adminCmd},
		{"bench", "measure publish and consume throughput and latency", func(ctx context.Context, e *env, args []string) int {
			return benchCmd(ctx, args, e.stdout, e.stderr)
		}},
		{"version", "print the version, Go version and VCS revision", versionCmd},
	}
}

// Main runs the slotwise command line with args (without the program name)
// and returns the process exit code: 0 success, 1 failure, 2 usage error.
// Flags are also read from SLOTWISE_* environment variables.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, &env{stdout: stdout, stderr: stderr, lookup: os.LookupEnv}, args)
}

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(e.stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "slotwise: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return 2
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: slotwise <command> [flags]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'slotwise <command> --help' for a command's flags. Every flag can also be\nset with a SLOTWISE_<FLAG> environment variable (--data-dir: SLOTWISE_DATA_DIR).\n")
	fmt.Fprint(w, b.String())
}

// subcommand dispatches "slotwise <group> <sub>" (events, dlq, outbox).
func subcommand(ctx context.Context, e *env, group string, args []string, subs map[string]func(context.Context, *env, []string) int) int {
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		w, code := e.stderr, 2
		if len(args) > 0 {
			w, code = e.stdout, 0
		}
		fmt.Fprintf(w, "usage: slotwise %s <%s> [flags]\n", group, strings.Join(names, "|"))
		return code
	}
	if f, ok := subs[args[0]]; ok {
		return f(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "slotwise %s: unknown subcommand %q (known: %s)\n", group, args[0], strings.Join(names, ", "))
	return 2
}
