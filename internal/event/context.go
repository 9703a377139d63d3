package event

import "context"

type ctxKey int

const (
	correlationKey ctxKey = iota
	traceKey
)

// WithCorrelationID returns ctx carrying the correlation id. Events recorded
// with that context carry it, so a chain of events can be traced.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey, id)
}

// CorrelationID returns the correlation id in ctx, or "".
func CorrelationID(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey).(string)
	return id
}

// WithTrace returns ctx carrying the W3C trace context.
func WithTrace(ctx context.Context, tc TraceContext) context.Context {
	return context.WithValue(ctx, traceKey, tc)
}

// Trace returns the trace context in ctx and whether there is one.
func Trace(ctx context.Context) (TraceContext, bool) {
	tc, ok := ctx.Value(traceKey).(TraceContext)
	return tc, ok && tc.Valid()
}
