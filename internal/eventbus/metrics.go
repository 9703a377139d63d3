package eventbus

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the platform's Prometheus metrics. Create one set per process
// (or per test) with NewMetrics and a registerer of your own: there are no
// package-level collectors.
type Metrics struct {
	Published       *prometheus.CounterVec   // slotwise_events_published_total{type}
	PublishFailed   *prometheus.CounterVec   // slotwise_outbox_publish_failures_total{service}
	Processing      *prometheus.HistogramVec // slotwise_event_processing_seconds{consumer,type}
	Failed          *prometheus.CounterVec   // slotwise_events_failed_total{consumer,type}
	DeadLettered    *prometheus.CounterVec   // slotwise_events_dead_lettered_total{consumer,type}
	DLQMessages     prometheus.Gauge         // slotwise_dlq_messages
	ConsumerPending *prometheus.GaugeVec     // slotwise_consumer_pending{consumer}
	OutboxPending   *prometheus.GaugeVec     // slotwise_outbox_pending{service}
	OutboxOldest    *prometheus.GaugeVec     // slotwise_outbox_oldest_pending_seconds{service}
}

// NewMetrics creates the metrics and registers them with reg (which may be
// nil, for tests that do not look at them).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slotwise_events_published_total",
			Help: "Events published to JetStream and acknowledged, by type.",
		}, []string{"type"}),
		PublishFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slotwise_outbox_publish_failures_total",
			Help: "Outbox publish attempts that failed and were scheduled for retry, by service.",
		}, []string{"service"}),
		Processing: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "slotwise_event_processing_seconds",
			Help:    "Time a consumer spent handling one delivery of an event.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"consumer", "type"}),
		Failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slotwise_events_failed_total",
			Help: "Failed handling attempts, by consumer and type.",
		}, []string{"consumer", "type"}),
		DeadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slotwise_events_dead_lettered_total",
			Help: "Events sent to the dead letter queue, by consumer and type.",
		}, []string{"consumer", "type"}),
		DLQMessages: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "slotwise_dlq_messages",
			Help: "Dead-lettered events waiting in the DLQ stream.",
		}),
		ConsumerPending: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "slotwise_consumer_pending",
			Help: "Consumer lag: messages not yet delivered to the durable consumer, from JetStream consumer info.",
		}, []string{"consumer"}),
		OutboxPending: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "slotwise_outbox_pending",
			Help: "Outbox rows not yet published (pending or failed and awaiting retry), by service.",
		}, []string{"service"}),
		OutboxOldest: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "slotwise_outbox_oldest_pending_seconds",
			Help: "Age of the oldest unpublished outbox row, by service (0 when none).",
		}, []string{"service"}),
	}
	if reg != nil {
		reg.MustRegister(m.Published, m.PublishFailed, m.Processing, m.Failed, m.DeadLettered,
			m.DLQMessages, m.ConsumerPending, m.OutboxPending, m.OutboxOldest)
	}
	return m
}
