package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/natsembed"
)

// Sync policies of the embedded JetStream store (see natsembed.Options).
const (
	SyncAlways   = "always"
	SyncInterval = "interval"
)

// ErrBadSync is returned for a sync policy other than "always" or
// "interval".
var ErrBadSync = errors.New(`sync policy must be "always" or "interval"`)

// natsEnv is an embedded nats-server with the SlotWise streams, its store in
// a temporary directory, and one in-process connection.
type natsEnv struct {
	srv *natsembed.Server
	nc  *nats.Conn
	js  jetstream.JetStream
	dir string
}

// startNATS starts the server, connects in-process and creates the streams.
// jsOpts configure the JetStream handle (e.g. the async publish window).
func startNATS(ctx context.Context, sync string, log *slog.Logger, jsOpts ...jetstream.JetStreamOpt) (*natsEnv, error) {
	if sync != SyncAlways && sync != SyncInterval {
		return nil, fmt.Errorf("%q: %w", sync, ErrBadSync)
	}
	dir, err := os.MkdirTemp("", "slotwise-bench-nats-")
	if err != nil {
		return nil, fmt.Errorf("nats store dir: %w", err)
	}
	env := &natsEnv{dir: dir}
	env.srv, err = natsembed.Start(natsembed.Options{StoreDir: dir, SyncAlways: sync == SyncAlways, Logger: log})
	if err != nil {
		env.close()
		return nil, err
	}
	if env.nc, err = env.srv.Connect("slotwise-bench"); err != nil {
		env.close()
		return nil, err
	}
	if env.js, err = jetstream.New(env.nc, jsOpts...); err != nil {
		env.close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if err := eventbus.EnsureStreams(ctx, env.js, eventbus.StreamConfig{Domains: catalog.Default().Domains()}); err != nil {
		env.close()
		return nil, err
	}
	return env, nil
}

// streamMessages returns the number of messages in the event-log stream.
func (e *natsEnv) streamMessages(ctx context.Context) (uint64, error) {
	s, err := e.js.Stream(ctx, eventbus.EventStream)
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", eventbus.EventStream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("stream %s info: %w", eventbus.EventStream, err)
	}
	return info.State.Msgs, nil
}

// waitMessages polls the event-log stream until it holds want messages,
// every interval, and returns when it does (or ctx ends).
func (e *natsEnv) waitMessages(ctx context.Context, want uint64, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := e.streamMessages(ctx)
		if err != nil {
			return err
		}
		if n >= want {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d messages in %s (have %d): %w", want, eventbus.EventStream, n, ctx.Err())
		case <-t.C:
		}
	}
}

// close shuts everything down and removes the store directory.
func (e *natsEnv) close() {
	if e.nc != nil {
		e.nc.Close()
	}
	if e.srv != nil {
		e.srv.Shutdown()
	}
	_ = os.RemoveAll(e.dir)
}
