package app

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// registerRuntimeCollectors adds the Go runtime and process metrics.
func registerRuntimeCollectors(reg *prometheus.Registry) {
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
}

// metricsHandler serves the App's registry. Every platform series exists
// from the start — per event type, per service and per consumer — so the
// names are on the first scrape (see App.New, initServiceMetrics and
// eventbus.Runtime.Subscribe).
func (a *App) metricsHandler() http.Handler {
	return promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{ErrorLog: nil, Registry: a.reg})
}
