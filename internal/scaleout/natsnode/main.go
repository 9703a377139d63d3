// Command natsnode runs one nats-server node (the server of the Go module
// github.com/nats-io/nats-server/v2) from a configuration file, so that the
// scale-out suite can run each node of its cluster as an OS process and
// kill it with SIGKILL. It prints "ready" on stdout once the node accepts
// clients and shuts down on SIGTERM or SIGINT.
//
//	natsnode -c nats-1.conf [-log]
//
// The configuration's $VARIABLES come from the environment, as with
// nats-server itself. Test helper only: not part of the product.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

func main() {
	conf := flag.String("c", "", "configuration `file`")
	logs := flag.Bool("log", false, "log to stderr")
	flag.Parse()
	if err := run(*conf, *logs); err != nil {
		fmt.Fprintln(os.Stderr, "natsnode:", err)
		os.Exit(1)
	}
}

func run(conf string, logs bool) error {
	if conf == "" {
		return fmt.Errorf("-c is required")
	}
	opts, err := server.ProcessConfigFile(conf)
	if err != nil {
		return fmt.Errorf("%s: %w", conf, err)
	}
	opts.NoSigs = true
	opts.NoLog = !logs
	s, err := server.NewServer(opts)
	if err != nil {
		return fmt.Errorf("%s: %w", conf, err)
	}
	if logs {
		s.ConfigureLogger()
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	s.Start()
	if !s.ReadyForConnections(60 * time.Second) {
		s.Shutdown()
		return fmt.Errorf("%s: not ready within 60s", opts.ServerName)
	}
	fmt.Println("ready")
	<-sigs
	s.Shutdown()
	s.WaitForShutdown()
	return nil
}
