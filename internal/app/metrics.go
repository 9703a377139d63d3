package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/slotwise/slotwise/internal/eventbus"
)

// registerRuntimeCollectors adds the Go runtime and process metrics.
func registerRuntimeCollectors(reg *prometheus.Registry) {
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
}

// family is a metric family's name, help and type.
type family struct {
	name, help string
	typ        dto.MetricType
}

// platformFamilies returns the platform's labelled metric families. A
// labelled vector has no series until a label value is used (a consumer
// processes its first event), and a family without series is absent from
// Gather; /metrics still lists these, as HELP and TYPE lines without samples
// (what the Python client does too), so dashboards and alerts can rely on
// the names from the first scrape.
func platformFamilies(m *eventbus.Metrics) []family {
	cs := []struct {
		c   prometheus.Collector
		typ dto.MetricType
	}{
		{m.Published, dto.MetricType_COUNTER},
		{m.PublishFailed, dto.MetricType_COUNTER},
		{m.Processing, dto.MetricType_HISTOGRAM},
		{m.Failed, dto.MetricType_COUNTER},
		{m.DeadLettered, dto.MetricType_COUNTER},
		{m.DLQMessages, dto.MetricType_GAUGE},
		{m.ConsumerPending, dto.MetricType_GAUGE},
		{m.OutboxPending, dto.MetricType_GAUGE},
		{m.OutboxOldest, dto.MetricType_GAUGE},
	}
	var out []family
	for _, c := range cs {
		for _, d := range describe(c.c) {
			var f family
			// Desc has no accessors; its String form is stable:
			// Desc{fqName: "…", help: "…", …}.
			if _, err := fmt.Sscanf(d.String(), "Desc{fqName: %q, help: %q,", &f.name, &f.help); err == nil {
				f.typ = c.typ
				out = append(out, f)
			}
		}
	}
	return out
}

func describe(c prometheus.Collector) []*prometheus.Desc {
	ch := make(chan *prometheus.Desc, 4)
	go func() {
		c.Describe(ch)
		close(ch)
	}()
	var out []*prometheus.Desc
	for d := range ch {
		out = append(out, d)
	}
	return out
}

// newMetricsHandler serves reg in the Prometheus text format, listing the
// platform families that have no series yet as HELP and TYPE lines.
func newMetricsHandler(reg prometheus.Gatherer, m *eventbus.Metrics, log *slog.Logger) http.Handler {
	declared := platformFamilies(m)
	format := expfmt.NewFormat(expfmt.TypeTextPlain)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mfs, err := reg.Gather()
		if err != nil {
			log.Warn("gather metrics", "err", err)
		}
		var b strings.Builder
		enc := expfmt.NewEncoder(&b, format)
		for _, mf := range withDeclared(mfs, declared) {
			if len(mf.GetMetric()) == 0 {
				writeMetadata(&b, mf)
				continue
			}
			if err := enc.Encode(mf); err != nil {
				log.Warn("encode metrics", "family", mf.GetName(), "err", err)
			}
		}
		w.Header().Set("Content-Type", string(format))
		_, _ = w.Write([]byte(b.String())) // the scraper went away
	})
}

// withDeclared adds an empty family for each declared one Gather did not
// return, sorted by name.
func withDeclared(mfs []*dto.MetricFamily, declared []family) []*dto.MetricFamily {
	have := map[string]bool{}
	for _, mf := range mfs {
		have[mf.GetName()] = true
	}
	for _, f := range declared {
		if !have[f.name] {
			mfs = append(mfs, &dto.MetricFamily{Name: &f.name, Help: &f.help, Type: f.typ.Enum()})
		}
	}
	sort.Slice(mfs, func(i, j int) bool { return mfs[i].GetName() < mfs[j].GetName() })
	return mfs
}

var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func writeMetadata(b *strings.Builder, mf *dto.MetricFamily) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", mf.GetName(), helpEscaper.Replace(mf.GetHelp()),
		mf.GetName(), strings.ToLower(mf.GetType().String()))
}
