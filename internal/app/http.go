package app

import (
	"context"
	"net/http"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/httpapi"
)

// readyTimeout bounds each readiness probe (one stream lookup, one ping).
const readyTimeout = 2 * time.Second

// routes returns the HTTP handler: the platform endpoints plus every
// module's routes.
func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", a.handleReady)
	mux.Handle("GET /metrics", a.metricsHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteError(w, r, a.log, apperr.New(apperr.NotFound, "no route for %s %s", r.Method, r.URL.Path))
	})
	router := httpapi.NewRouter(mux)
	for _, s := range a.services {
		if s.inst.Routes != nil {
			s.inst.Routes(router)
		}
	}
	a.routesServed = router.Routes()
	mux.HandleFunc("GET "+OpenAPIPath, a.handleOpenAPI)
	if a.site != nil {
		a.site.Routes(mux) // pages: /, /b/…, /m/…, /static/…
	}
	return withCorrelation(a.tokens.Authenticate(a.log)(mux))
}

// readyBody is the /readyz response.
type readyBody struct {
	Status  string            `json:"status"`
	Failing map[string]string `json:"failing,omitempty"`
}

func (a *App) handleReady(w http.ResponseWriter, r *http.Request) {
	failing := a.readiness(r.Context())
	if len(failing) > 0 {
		writeJSON(w, http.StatusServiceUnavailable, readyBody{Status: "not ready", Failing: failing})
		return
	}
	writeJSON(w, http.StatusOK, readyBody{Status: "ready"})
}

// readiness returns what keeps the process from serving, keyed "nats",
// "stream:<name>", "db:<service>" and "relay:<service>"; empty when ready.
func (a *App) readiness(ctx context.Context) map[string]string {
	failing := map[string]string{}
	a.checkNATS(ctx, failing)
	for _, s := range a.services {
		pctx, cancel := context.WithTimeout(ctx, readyTimeout)
		if err := s.db.PingContext(pctx); err != nil {
			failing["db:"+s.mod.Name] = err.Error()
		}
		cancel()
		if err := s.relayErr.Load(); err != nil {
			failing["relay:"+s.mod.Name] = (*err).Error()
		}
	}
	return failing
}

func (a *App) checkNATS(ctx context.Context, failing map[string]string) {
	if a.nc == nil || !a.nc.IsConnected() {
		status := "no connection"
		if a.nc != nil {
			status = a.nc.Status().String()
		}
		failing["nats"] = "not connected: " + status
		return
	}
	for _, name := range []string{eventbus.EventStream, eventbus.DLQStream} {
		sctx, cancel := context.WithTimeout(ctx, readyTimeout)
		if _, err := a.js.Stream(sctx, name); err != nil {
			failing["stream:"+name] = err.Error()
		}
		cancel()
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) { httpapi.WriteJSON(w, status, v) }
