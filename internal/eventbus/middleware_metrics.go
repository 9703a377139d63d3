package eventbus

import (
	"context"
	"time"

	"github.com/slotwise/slotwise/internal/event"
)

// Measure observes each attempt's duration in m.Processing and counts a
// failed attempt in m.Failed, labelled by consumer and event type.
func Measure(m *Metrics) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev event.Envelope) error {
			d, _ := DeliveryFrom(ctx)
			start := time.Now()
			err := next(ctx, ev)
			m.Processing.WithLabelValues(d.Consumer, ev.Type).Observe(time.Since(start).Seconds())
			if err != nil {
				m.Failed.WithLabelValues(d.Consumer, ev.Type).Inc()
			}
			return err
		}
	}
}
