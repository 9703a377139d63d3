package authn

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/httpapi"
)

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the caller, if the request carried a valid token.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Authenticate returns middleware that verifies a "Bearer" Authorization
// header when there is one and puts the Principal into the request context.
// A request without the header passes through anonymous; a request with a
// bad token is refused with 401.
func (t *Tokens) Authenticate(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			if h == "" {
				next.ServeHTTP(w, r)
				return
			}
			scheme, token, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
				httpapi.WriteError(w, r, log, apperr.New(apperr.Unauthenticated, "Authorization must be \"Bearer <access token>\""))
				return
			}
			p, err := t.Verify(strings.TrimSpace(token))
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				httpapi.WriteError(w, r, log, &apperr.Error{Code: apperr.Unauthenticated, Message: "access token is invalid or expired", Err: err})
				return
			}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		})
	}
}

// Require returns the caller when it is authenticated with one of roles
// (admins pass every check); otherwise an Unauthenticated (no caller) or
// Forbidden (wrong role) error.
func Require(ctx context.Context, roles ...Role) (Principal, error) {
	p, ok := FromContext(ctx)
	if !ok {
		return Principal{}, apperr.New(apperr.Unauthenticated, "this endpoint needs an access token")
	}
	if p.Role == RoleAdmin || len(roles) == 0 || slices.Contains(roles, p.Role) {
		return p, nil
	}
	return Principal{}, apperr.New(apperr.Forbidden, "role %s may not do this", p.Role)
}
