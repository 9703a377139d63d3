// Package apperr is SlotWise's one application error type: a code that says
// what kind of failure it is, a message for the caller, and optionally the
// request field at fault. The code → HTTP status map lives here and nowhere
// else. Services return *Error from their use cases; the HTTP layer writes it.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Code classifies an error.
type Code string

// The codes.
const (
	Invalid         Code = "invalid"           // 400: malformed request
	Unauthenticated Code = "unauthenticated"   // 401: no or bad credentials
	Forbidden       Code = "forbidden"         // 403: authenticated, not allowed
	NotFound        Code = "not_found"         // 404
	Conflict        Code = "conflict"          // 409: clashes with existing state
	TooLarge        Code = "payload_too_large" // 413
	Unprocessable   Code = "unprocessable"     // 422: well-formed but not acceptable
	TooManyRequests Code = "too_many_requests" // 429
	Internal        Code = "internal"          // 500
	Unavailable     Code = "unavailable"       // 503
)

var statuses = map[Code]int{
	Invalid:         http.StatusBadRequest,
	Unauthenticated: http.StatusUnauthorized,
	Forbidden:       http.StatusForbidden,
	NotFound:        http.StatusNotFound,
	Conflict:        http.StatusConflict,
	TooLarge:        http.StatusRequestEntityTooLarge,
	Unprocessable:   http.StatusUnprocessableEntity,
	TooManyRequests: http.StatusTooManyRequests,
	Internal:        http.StatusInternalServerError,
	Unavailable:     http.StatusServiceUnavailable,
}

// Status returns the HTTP status of a code (500 for an unknown one).
func Status(c Code) int {
	if s, ok := statuses[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error is an application error.
type Error struct {
	Code Code
	// Reason is a stable machine-readable detail, e.g. "slot_taken",
	// "duplicate_subdomain"; empty when the code says it all.
	Reason  string
	Message string
	// Field names the request field at fault (JSON name, dotted path for
	// nested fields, e.g. "weekly[2].end").
	Field string
	// RetryAfter is set with TooManyRequests.
	RetryAfter time.Duration
	// Err is the underlying cause, never shown to the caller.
	Err error
}

func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Message
	if e.Field != "" {
		msg = fmt.Sprintf("%s (field %s)", msg, e.Field)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of code with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an error of code about one request field.
func Field(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// WithReason sets the machine-readable reason and returns e.
func (e *Error) WithReason(reason string) *Error { e.Reason = reason; return e }

// As returns the *Error in err's chain, or an Internal one wrapping err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error", Err: err}
}

// CodeOf returns the code of err (Internal for a plain error, "" for nil).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}
