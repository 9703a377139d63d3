package app

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/slotwise/slotwise/internal/eventbus"
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
	mux.Handle("GET /metrics", newMetricsHandler(a.reg, a.metrics, a.log))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no route for "+r.Method+" "+r.URL.Path)
	})
	for _, s := range a.services {
		if s.mod.Routes != nil {
			s.mod.Routes(mux, s.deps)
		}
	}
	return mux
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

// errorBody is the JSON error response of the platform endpoints.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var b errorBody
	b.Error.Code, b.Error.Message = code, msg
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}
