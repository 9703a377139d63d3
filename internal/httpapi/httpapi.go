// Package httpapi is the HTTP plumbing every service's handlers share: JSON
// responses, errors written from apperr (the one code → status map), strict
// JSON request decoding with a size limit, and a Router that records every
// route it registers so the OpenAPI document can be checked against it.
//
// Handlers and DTOs of a service belong in that service's httpapi package,
// not here.
package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/slotwise/slotwise/internal/apperr"
)

// MaxBodyBytes is the default request body limit.
const MaxBodyBytes = 64 << 10

// ErrorBody is the JSON body of every error response:
// {"error": {"code": "...", "reason": "...", "message": "...", "field": "..."}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    apperr.Code `json:"code"`
	Reason  string      `json:"reason,omitempty"`
	Message string      `json:"message"`
	Field   string      `json:"field,omitempty"`
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

// WriteError writes err as an ErrorBody with the status of its code. An
// internal error is logged (with its cause) and answered without details.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	e := apperr.As(err)
	if e.Code == apperr.Internal && log != nil {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	if e.RetryAfter > 0 {
		secs := int(e.RetryAfter.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
	WriteJSON(w, apperr.Status(e.Code), ErrorBody{Error: ErrorDetail{Code: e.Code, Reason: e.Reason, Message: e.Message, Field: e.Field}})
}

// DecodeJSON decodes the request body into dst strictly: one JSON value, no
// unknown fields, at most MaxBodyBytes. Its errors are *apperr.Error naming
// the field where JSON allows (400, or 413 for an oversized body).
func DecodeJSON(r *http.Request, w http.ResponseWriter, dst any) error {
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if err != nil {
			if tooLarge := decodeError(err); tooLarge.Code == apperr.TooLarge {
				return tooLarge
			}
		}
		return apperr.New(apperr.Invalid, "request body must hold a single JSON value")
	}
	return nil
}

func decodeError(err error) *apperr.Error {
	var maxErr *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &maxErr):
		return apperr.New(apperr.TooLarge, "request body exceeds %d bytes", maxErr.Limit)
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "request body is empty; a JSON object is required")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return apperr.New(apperr.Invalid, "request body must be a JSON object")
		}
		return apperr.Field(apperr.Invalid, field, "%s must be %s, not %s", field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "malformed JSON: %v", err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Field(apperr.Invalid, field, "unknown field %q", field)
	}
	return apperr.New(apperr.Invalid, "invalid request body: %v", err)
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "a boolean"
	case goKind == "slice", goKind == "array":
		return "an array"
	}
	return "an object"
}

// Route is one registered route: method and path as in the OpenAPI
// document ("/api/v1/businesses/{id}").
type Route struct {
	Method string
	Path   string
}

// String returns "METHOD path".
func (r Route) String() string { return r.Method + " " + r.Path }

// Router registers handlers on a ServeMux and records their routes.
type Router struct {
	mux    *http.ServeMux
	routes []Route
}

// NewRouter returns a Router on mux.
func NewRouter(mux *http.ServeMux) *Router { return &Router{mux: mux} }

// Handle registers h for method and path (Go ServeMux wildcards, which are
// OpenAPI's path parameters).
func (rt *Router) Handle(method, path string, h http.Handler) {
	rt.mux.Handle(fmt.Sprintf("%s %s", method, path), h)
	rt.routes = append(rt.routes, Route{Method: method, Path: path})
}

// HandleFunc is Handle for a function.
func (rt *Router) HandleFunc(method, path string, h http.HandlerFunc) { rt.Handle(method, path, h) }

// Routes returns the registered routes in registration order.
func (rt *Router) Routes() []Route { return append([]Route(nil), rt.routes...) }
