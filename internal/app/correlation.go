package app

import (
	"net/http"

	"github.com/slotwise/slotwise/internal/event"
)

// HeaderCorrelationID is the HTTP header that carries a correlation id in
// and out: a request may name one (so a client can follow its own chain);
// otherwise one is made. Every event the request records carries it.
const HeaderCorrelationID = "X-Correlation-ID"

// withCorrelation puts a correlation id and a W3C trace context (from the
// request's traceparent header, or a new trace) into the request context and
// echoes the correlation id in the response.
func withCorrelation(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(HeaderCorrelationID)
		if !validCorrelationID(id) {
			id = event.NewCorrelationID()
		}
		tc, err := event.ParseTraceparent(r.Header.Get("traceparent"))
		if err != nil {
			tc = event.NewTrace()
		} else {
			tc = tc.Child()
		}
		w.Header().Set(HeaderCorrelationID, id)
		ctx := event.WithTrace(event.WithCorrelationID(r.Context(), id), tc)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// validCorrelationID accepts 1–128 printable ASCII characters without
// spaces, so a client cannot inject log or header garbage.
func validCorrelationID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}
