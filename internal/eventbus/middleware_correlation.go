package eventbus

import (
	"context"

	"github.com/slotwise/slotwise/internal/event"
)

// Correlation puts the event's correlation id (the envelope's, else the
// correlation-id header), its trace context (a child span of the
// traceparent header, or a new trace when there is none) and a logger with
// event_id, type, correlation_id and trace_id into the handler's context.
// Events the handler records with that context carry the same correlation
// id and trace.
func Correlation() Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev event.Envelope) error {
			d, _ := DeliveryFrom(ctx)
			corr := ev.CorrelationID
			if corr == "" && d.Header != nil {
				corr = d.Header.Get(event.HeaderCorrelationID)
			}
			if corr != "" {
				ctx = event.WithCorrelationID(ctx, corr)
			}
			tc := spanFor(d)
			ctx = event.WithTrace(ctx, tc)
			ctx = WithLogger(ctx, LoggerFrom(ctx).With(
				"event_id", ev.ID, "type", ev.Type,
				"correlation_id", corr, "trace_id", tc.TraceIDString()))
			return next(ctx, ev)
		}
	}
}

// spanFor returns the handler's span: a child of the message's
// traceparent, or the root of a new trace.
func spanFor(d Delivery) event.TraceContext {
	if d.Header != nil {
		if parent, err := event.ParseTraceparent(d.Header.Get(event.HeaderTraceparent)); err == nil {
			return parent.Child()
		}
	}
	return event.NewTrace()
}
