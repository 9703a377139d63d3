package eventbus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Stream names and DLQ subjects. The event log takes slotwise.<domain>.> for
// every domain of the catalog, so the DLQ's slotwise.dlq.> never falls into
// it.
const (
	EventStream      = "SLOTWISE_EVENTS"
	DLQStream        = "SLOTWISE_DLQ"
	DLQSubject       = "slotwise.dlq.failed_event"
	DLQSubjects      = "slotwise.dlq.>"
	redrivePrefix    = "slotwise.dlq.redrive."
	defaultDupWindow = 2 * time.Minute
)

// RedriveSubject is the subject on which re-driven events reach one durable
// consumer (and no other).
func RedriveSubject(consumer string) string { return redrivePrefix + consumer }

// StreamConfig sets what is configurable about the two streams.
type StreamConfig struct {
	// Replicas of each stream: 1 embedded, 3 in a cluster.
	Replicas int
	// DuplicateWindow is how long JetStream remembers Nats-Msg-Id values
	// (at least 2 minutes).
	DuplicateWindow time.Duration
	// Domains are the event domains (catalog.Domains()).
	Domains []string
}

// EventSubjects returns the subjects of the event-log stream.
func EventSubjects(domains []string) []string {
	out := make([]string, len(domains))
	for i, d := range domains {
		out[i] = "slotwise." + d + ".>"
	}
	return out
}

// EnsureStreams creates or updates the event-log stream (file storage, no
// expiry: it is the event store) and the DLQ stream. It is idempotent.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, cfg StreamConfig) error {
	if len(cfg.Domains) == 0 {
		return errors.New("ensure streams: no event domains")
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.DuplicateWindow < defaultDupWindow {
		cfg.DuplicateWindow = defaultDupWindow
	}
	streams := []jetstream.StreamConfig{
		{
			Name:        EventStream,
			Description: "SlotWise event log (event store): kept without expiry",
			Subjects:    EventSubjects(cfg.Domains),
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			Replicas:    cfg.Replicas,
			Duplicates:  cfg.DuplicateWindow,
			Discard:     jetstream.DiscardNew,
		},
		{
			Name:        DLQStream,
			Description: "SlotWise dead letter queue and re-drive subjects",
			Subjects:    []string{DLQSubjects},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			Replicas:    cfg.Replicas,
			Duplicates:  cfg.DuplicateWindow,
			Discard:     jetstream.DiscardNew,
		},
	}
	for _, sc := range streams {
		if err := ensureStream(ctx, js, sc); err != nil {
			return fmt.Errorf("ensure stream %s: %w", sc.Name, err)
		}
	}
	return nil
}

// streamAttemptTimeout bounds one create-or-update request of a stream.
const streamAttemptTimeout = 2 * time.Second

// ensureStream creates or updates one stream. When several instances
// start together on a fresh cluster, their identical creates race and the
// cluster leaves some of them unanswered although the stream was created
// (nats-server issue #3677); such an attempt times out and is repeated
// while ctx lasts, and the repeat finds the stream and updates it.
func ensureStream(ctx context.Context, js jetstream.JetStream, sc jetstream.StreamConfig) error {
	for {
		actx, cancel := context.WithTimeout(ctx, streamAttemptTimeout)
		_, err := js.CreateOrUpdateStream(actx, sc)
		cancel()
		timedOut := errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout)
		if err == nil || !timedOut || ctx.Err() != nil {
			return err
		}
	}
}
