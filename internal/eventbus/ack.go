package eventbus

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
)

// settleTimeout bounds the dead-letter publish and acks of one message,
// independent of the handler's (possibly expired) context.
const settleTimeout = 10 * time.Second

// settle makes the one ack decision for a delivery:
//
//   - nil error: Ack.
//   - a retryable error before the last attempt: NakWithDelay, so the
//     event comes back after RetryPolicy.Delay(attempt) without a handler
//     sleeping.
//   - a Permanent error, or the last attempt: publish dlq.failed_event to
//     the DLQ stream, and Term only once that publish is acknowledged. If
//     the publish fails the message is NAKed with a delay instead, so the
//     event is never lost (it comes back and is dead-lettered again).
func (r *Runtime) settle(ctx context.Context, msg jetstream.Msg, d Delivery, ev event.Envelope, err error) {
	log := LoggerFrom(ctx)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	switch {
	case err == nil:
		if ackErr := msg.Ack(); ackErr != nil {
			log.Warn("ack event", "error", ackErr)
		}
		r.forgetRedriven(ctx, d)
	case !IsPermanent(err) && d.Attempt < r.cfg.Retry.Attempts:
		delay := r.cfg.Retry.Delay(d.Attempt)
		log.Warn("event handling failed; will retry", "error", err, "retry_in", delay)
		if nakErr := msg.NakWithDelay(delay); nakErr != nil {
			log.Warn("nak event", "error", nakErr)
		}
	default:
		r.deadLetter(ctx, msg, d, ev, err)
	}
}

func (r *Runtime) deadLetter(ctx context.Context, msg jetstream.Msg, d Delivery, ev event.Envelope, cause error) {
	log := LoggerFrom(ctx)
	dl := deadLetter{
		Delivery: d, Raw: msg.Data(), Envelope: ev, Err: cause,
		Attempts: d.Attempt, Now: r.cfg.Clock(),
	}
	invalid, err := r.dlq.publish(ctx, r.cfg.Catalog, dl)
	if invalid != nil {
		log.Error("dead letter does not match its schema; sent anyway", "error", invalid)
	}
	if err != nil {
		delay := r.cfg.Retry.Delay(d.Attempt)
		log.Error("dead-letter publish failed; event kept for another attempt", "error", err, "cause", cause, "retry_in", delay)
		if nakErr := msg.NakWithDelay(delay); nakErr != nil {
			log.Warn("nak event", "error", nakErr)
		}
		return
	}
	log.Error("event dead-lettered", "error", cause, "attempts", d.Attempt, "permanent", IsPermanent(cause))
	r.cfg.Metrics.DeadLettered.WithLabelValues(d.Consumer, r.typeLabel(ev.Type)).Inc()
	if err := msg.Term(); err != nil {
		log.Warn("term event", "error", err)
	}
	r.forgetRedriven(ctx, d)
}

// forgetRedriven deletes a settled re-drive message from the DLQ stream so
// that re-drives do not pile up there. It is housekeeping: a failure only
// leaves the message in place.
func (r *Runtime) forgetRedriven(ctx context.Context, d Delivery) {
	if !d.Redrive || d.StreamSeq == 0 {
		return
	}
	if err := r.dlq.deleteMsg(ctx, d.StreamSeq); err != nil {
		LoggerFrom(ctx).Debug("delete settled re-drive message", "seq", d.StreamSeq, "error", err)
	}
}

// RetryPolicy says how often a failing event is tried and how long the
// runtime waits between tries (the seed's maxRetries and exponential
// backoff, without sleeping in the handler: the message is NAKed with a
// delay).
type RetryPolicy struct {
	// Attempts is the number of deliveries before dead-lettering (default 3).
	Attempts int
	// BaseDelay: after the n-th failed attempt the event comes back after
	// 2^n × BaseDelay (default 1 s, i.e. 2 s, 4 s, …).
	BaseDelay time.Duration
	// MaxDelay caps the delay (default 5 min).
	MaxDelay time.Duration
}

// Delay returns the wait after the attempt-th failed attempt (attempt ≥ 1).
func (p RetryPolicy) Delay(attempt int) time.Duration {
	d := p.BaseDelay
	for i := 0; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	return min(d, p.MaxDelay)
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = DefaultAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = max(DefaultMaxDelay, p.BaseDelay)
	}
	return p
}
