package eventbus

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
)

// HeaderOriginalSubject carries, on a re-driven event, the subject it was
// first published on (the message itself arrives on a re-drive subject).
const HeaderOriginalSubject = "slotwise-original-subject"

// Delivery describes the message a handler is handling. The runtime puts it
// into the handler's context; read it with DeliveryFrom.
type Delivery struct {
	Consumer  string      // durable consumer name, "<service>-<name>"
	Service   string      // the subscribing service
	Subject   string      // the event's subject (the original one for a re-drive)
	Header    nats.Header // the message headers
	Attempt   int         // 1 on the first delivery (a re-drive starts again at 1)
	StreamSeq uint64      // sequence in the stream the message came from
	Redrive   bool        // the message was re-driven from the DLQ
}

type deliveryKey struct{}
type loggerKey struct{}

// DeliveryFrom returns the delivery ctx carries.
func DeliveryFrom(ctx context.Context) (Delivery, bool) {
	d, ok := ctx.Value(deliveryKey{}).(Delivery)
	return d, ok
}

// WithDelivery returns ctx carrying d (the runtime does this; tests of
// middleware may too).
func WithDelivery(ctx context.Context, d Delivery) context.Context {
	return context.WithValue(ctx, deliveryKey{}, d)
}

// WithLogger returns ctx carrying logger.
func WithLogger(ctx context.Context, logger *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, logger)
}

// LoggerFrom returns the logger ctx carries: in a handler, one with the
// consumer, event_id, type, correlation_id and trace_id attributes. Without
// one it returns slog.Default().
func LoggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// handle runs one message through decoding and the handler chain and
// settles it. It is the jetstream Consume callback.
func (r *Runtime) handle(s *subscriber, msg jetstream.Msg, redrive bool) {
	r.inflight.Add(1)
	defer r.inflight.Done()
	d := r.delivery(s, msg, redrive)
	ctx, cancel := context.WithTimeout(r.base, r.cfg.AckWait)
	defer cancel()
	ctx = WithDelivery(ctx, d)
	ctx = WithLogger(ctx, r.cfg.Logger.With("consumer", d.Consumer, "subject", d.Subject, "attempt", d.Attempt))
	ev, err := r.decode(msg.Data(), d)
	if err != nil {
		r.cfg.Metrics.Failed.WithLabelValues(d.Consumer, r.typeLabel(ev.Type)).Inc()
	} else {
		err = s.chain(ctx, ev)
	}
	if ev.ID != "" {
		// The chain's logger is gone with its context; settle's log lines
		// name the event too.
		ctx = WithLogger(ctx, LoggerFrom(ctx).With("event_id", ev.ID, "type", ev.Type, "correlation_id", ev.CorrelationID))
	}
	r.settle(ctx, msg, d, ev, err)
}

func (r *Runtime) delivery(s *subscriber, msg jetstream.Msg, redrive bool) Delivery {
	d := Delivery{
		Consumer: s.durable, Service: s.sub.Service, Subject: msg.Subject(),
		Header: msg.Headers(), Attempt: 1, Redrive: redrive,
	}
	if redrive {
		d.Subject = d.Header.Get(HeaderOriginalSubject)
	}
	if md, err := msg.Metadata(); err == nil {
		d.Attempt = int(md.NumDelivered)
		d.StreamSeq = md.Sequence.Stream
	}
	return d
}

// decode checks the raw message against the catalog and its subject. Every
// error is Permanent: another attempt would meet the same bytes. The
// envelope is returned as far as it could be decoded, for the DLQ entry.
func (r *Runtime) decode(raw []byte, d Delivery) (event.Envelope, error) {
	if !json.Valid(raw) {
		_, err := DecodeEnvelope(raw)
		return event.Envelope{}, Permanent(err)
	}
	ev, decodeErr := DecodeEnvelope(raw)
	if err := r.cfg.Catalog.ValidateJSON(raw); err != nil {
		return ev, Permanent(fmt.Errorf("rejected event: %w", err))
	}
	if decodeErr != nil {
		return ev, Permanent(decodeErr)
	}
	if d.Subject != "" && ev.Subject() != d.Subject {
		return ev, Permanent(fmt.Errorf("rejected event: type %q does not match subject %q", ev.Type, d.Subject))
	}
	return ev, nil
}

// typeLabel keeps metric labels to the catalog's types, whatever a message
// claims.
func (r *Runtime) typeLabel(t string) string {
	if _, ok := r.cfg.Catalog.Version(t); ok {
		return t
	}
	return "unknown"
}
