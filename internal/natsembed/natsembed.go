// Package natsembed runs the nats-server with JetStream inside the SlotWise
// process for the embedded mode (`slotwise run`) and for tests. Settings
// follow the seed's development config (JetStream file store, 1 GB memory
// and 10 GB file store limits); the fsync policy is a parameter because it is
// the durability promise (docs/operations.md).
//
// Streams and consumers do not belong here (see package eventbus).
package natsembed

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Options configure an embedded server.
type Options struct {
	// StoreDir is the JetStream file store directory (required).
	StoreDir string
	// Listen is the client address, "host:port"; port 0 picks a free port.
	// Empty means in-process connections only (no listener).
	Listen string
	// MonitorListen is the HTTP monitoring address, "host:port"; empty for
	// none.
	MonitorListen string
	// SyncAlways makes JetStream fsync every write before acknowledging it.
	// When false, JetStream fsyncs every SyncInterval (nats-server's default
	// is 2 minutes), and acknowledged writes of that window can be lost on
	// power failure (Jepsen, NATS 2.12, 2025).
	SyncAlways   bool
	SyncInterval time.Duration
	// ServerName defaults to "slotwise-nats-dev" (the seed's dev config).
	ServerName string
	// Logger receives the server's log lines (at debug level) when set.
	Logger *slog.Logger
}

// Server is a running embedded nats-server.
type Server struct {
	ns     *server.Server
	listen bool
}

// Start starts the server and waits until it accepts connections.
func Start(o Options) (*Server, error) {
	if o.StoreDir == "" {
		return nil, errors.New("nats: StoreDir is required")
	}
	opts := &server.Options{
		ServerName:         o.ServerName,
		JetStream:          true,
		StoreDir:           o.StoreDir,
		JetStreamMaxMemory: 1 << 30,
		JetStreamMaxStore:  10 << 30,
		SyncAlways:         o.SyncAlways,
		SyncInterval:       o.SyncInterval,
		NoSigs:             true,
		MaxPayload:         1 << 20,
	}
	if opts.ServerName == "" {
		opts.ServerName = "slotwise-nats-dev"
	}
	if o.Listen == "" {
		opts.DontListen = true
	} else {
		host, port, err := splitHostPort(o.Listen)
		if err != nil {
			return nil, fmt.Errorf("nats listen address %q: %w", o.Listen, err)
		}
		opts.Host, opts.Port = host, port
		if port == 0 {
			opts.Port = server.RANDOM_PORT
		}
	}
	if o.MonitorListen != "" {
		host, port, err := splitHostPort(o.MonitorListen)
		if err != nil {
			return nil, fmt.Errorf("nats monitor address %q: %w", o.MonitorListen, err)
		}
		opts.HTTPHost, opts.HTTPPort = host, port
		if port == 0 {
			opts.HTTPPort = server.RANDOM_PORT
		}
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	if o.Logger != nil {
		ns.SetLoggerV2(&slogAdapter{o.Logger}, false, false, false)
	}
	ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("nats: server not ready within 30s")
	}
	return &Server{ns: ns, listen: o.Listen != ""}, nil
}

// ClientURL returns the nats:// URL clients outside the process use, or ""
// when the server does not listen.
func (s *Server) ClientURL() string {
	if !s.listen {
		return ""
	}
	return s.ns.ClientURL()
}

// MonitorURL returns the monitoring base URL, or "" without one.
func (s *Server) MonitorURL() string {
	addr := s.ns.MonitorAddr()
	if addr == nil {
		return ""
	}
	return "http://" + addr.String()
}

// Connect opens a client connection: in-process (no TCP) always, so it
// works with or without a listener.
func (s *Server) Connect(name string, opts ...nats.Option) (*nats.Conn, error) {
	opts = append([]nats.Option{nats.Name(name), nats.InProcessServer(s.ns), nats.MaxReconnects(-1)}, opts...)
	nc, err := nats.Connect("", opts...)
	if err != nil {
		return nil, fmt.Errorf("nats connect: %w", err)
	}
	return nc, nil
}

// Shutdown stops the server and waits for it to finish.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

// Running reports whether the server is running.
func (s *Server) Running() bool { return s.ns.Running() }

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port %q", p)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return host, port, nil
}

// slogAdapter sends the server's log lines to slog.
type slogAdapter struct{ l *slog.Logger }

func (a *slogAdapter) Noticef(format string, v ...any) { a.l.Debug(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Warnf(format string, v ...any)   { a.l.Warn(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Fatalf(format string, v ...any)  { a.l.Error(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Errorf(format string, v ...any)  { a.l.Error(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Debugf(format string, v ...any)  { a.l.Debug(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Tracef(format string, v ...any)  {}
