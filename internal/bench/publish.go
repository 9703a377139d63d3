package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/eventbus"
)

// Defaults of PublishConfig.
const (
	DefaultPublishEvents = 100_000
	DefaultMaxPending    = 4096
	// stallWait bounds how long one PublishMsgAsync may block on a full
	// window; with sync=always acks wait for fsync, so 200 ms (the
	// client's default) is too short.
	stallWait = 30 * time.Second
)

// PublishConfig configures the raw JetStream publish benchmark.
type PublishConfig struct {
	// Events to publish (default DefaultPublishEvents).
	Events int
	// Size is the approximate body size in bytes; 0 or anything below the
	// realistic booking.created envelope (~300 bytes) means that envelope.
	Size int
	// Sync is the JetStream fsync policy, SyncAlways (default) or
	// SyncInterval.
	Sync string
	// MaxPending is the window of in-flight async publishes (default
	// DefaultMaxPending).
	MaxPending int
	// Log receives progress lines; nil discards them.
	Log *slog.Logger
}

// PublishResult is the outcome of Publish.
type PublishResult struct {
	Machine      Machine `json:"machine"`
	Sync         string  `json:"sync"`
	Events       int     `json:"events"`
	BodyBytes    int     `json:"body_bytes"`
	MaxPending   int     `json:"max_pending"`
	DurationMs   float64 `json:"duration_ms"`
	EventsPerSec float64 `json:"events_per_sec"`
	MiBPerSec    float64 `json:"mib_per_sec"`
}

func (c *PublishConfig) defaults() {
	if c.Events <= 0 {
		c.Events = DefaultPublishEvents
	}
	if c.Sync == "" {
		c.Sync = SyncAlways
	}
	if c.MaxPending <= 0 {
		c.MaxPending = DefaultMaxPending
	}
	if c.Log == nil {
		c.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// Publish starts an embedded nats-server with the SlotWise streams,
// publishes cfg.Events booking.created envelopes asynchronously with at most
// cfg.MaxPending acks outstanding, and waits for every ack: the machine's
// ceiling for anything that publishes events. Messages are built before the
// clock starts.
func Publish(ctx context.Context, cfg PublishConfig) (PublishResult, error) {
	cfg.defaults()
	var ackErrs atomic.Int64
	env, err := startNATS(ctx, cfg.Sync, nil,
		jetstream.WithPublishAsyncMaxPending(cfg.MaxPending),
		jetstream.WithPublishAsyncErrHandler(func(jetstream.JetStream, *nats.Msg, error) { ackErrs.Add(1) }))
	if err != nil {
		return PublishResult{}, err
	}
	defer env.close()

	msgs, bodyBytes, err := buildMessages(cfg.Events, cfg.Size)
	if err != nil {
		return PublishResult{}, err
	}
	cfg.Log.Info("publishing", "events", cfg.Events, "body_bytes", bodyBytes, "sync", cfg.Sync, "max_pending", cfg.MaxPending)
	start := time.Now()
	if err := publishAll(ctx, env.js, msgs); err != nil {
		return PublishResult{}, err
	}
	elapsed := time.Since(start)
	if n := ackErrs.Load(); n > 0 {
		return PublishResult{}, fmt.Errorf("publish: %d of %d publishes failed", n, cfg.Events)
	}
	if got, err := env.streamMessages(ctx); err != nil {
		return PublishResult{}, err
	} else if got != uint64(cfg.Events) {
		return PublishResult{}, fmt.Errorf("publish: stream holds %d messages, want %d", got, cfg.Events)
	}
	res := PublishResult{
		Machine:    ThisMachine(start),
		Sync:       cfg.Sync,
		Events:     cfg.Events,
		BodyBytes:  bodyBytes,
		MaxPending: cfg.MaxPending,
		DurationMs: ms(elapsed),
	}
	res.EventsPerSec = round3(rate(cfg.Events, elapsed))
	res.MiBPerSec = round3(rate(cfg.Events*bodyBytes, elapsed) / (1 << 20))
	cfg.Log.Info("published", "events_per_sec", int(res.EventsPerSec), "duration", elapsed.Round(time.Millisecond))
	return res, nil
}

// buildMessages makes n distinct messages (each its own Nats-Msg-Id, as the
// relay sends them) and returns them with the body size of the first.
func buildMessages(n, size int) ([]*nats.Msg, int, error) {
	now := time.Now()
	msgs := make([]*nats.Msg, n)
	for i := range msgs {
		ev, err := sizedEnvelope(i, size, now)
		if err != nil {
			return nil, 0, err
		}
		if msgs[i], err = eventbus.NewMsg(ev, ""); err != nil {
			return nil, 0, err
		}
	}
	return msgs, len(msgs[0].Data), nil
}

// publishAll publishes msgs asynchronously and waits for every ack.
func publishAll(ctx context.Context, js jetstream.JetStream, msgs []*nats.Msg) error {
	for i, m := range msgs {
		if _, err := js.PublishMsgAsync(m, jetstream.WithStallWait(stallWait)); err != nil {
			return fmt.Errorf("publish %d: %w", i, err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for publish acks (%d pending): %w", js.PublishAsyncPending(), ctx.Err())
	}
}

// rate returns n per second over d.
func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
