// Command slotwise is the SlotWise binary: `slotwise run` starts every
// service in one process; the other subcommands migrate databases and
// inspect a running instance (see `slotwise --help`).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/slotwise/slotwise/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal starts the graceful shutdown, restore
		// the default handling so that a second one stops at once.
		<-ctx.Done()
		stop()
	}()
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
