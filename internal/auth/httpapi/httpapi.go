// Package httpapi is the auth service's HTTP API: register, login, refresh,
// logout and the caller's own account (/api/v1/auth/me), with its DTOs and
// its OpenAPI fragment (openapi.json). Use cases belong in package auth.
package httpapi

import (
	_ "embed"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/authn"
	web "github.com/slotwise/slotwise/internal/httpapi"
)

// OpenAPI is the fragment of the OpenAPI document for exactly the routes
// Routes registers.
//
//go:embed openapi.json
var OpenAPI []byte

// Options configure the handlers.
type Options struct {
	// TrustForwardedFor takes the client address for login throttling from
	// the first X-Forwarded-For entry; only behind a proxy that sets it.
	TrustForwardedFor bool
}

// Handler serves the auth API.
type Handler struct {
	svc  *auth.Service
	log  *slog.Logger
	opts Options
}

// New returns the handlers of svc.
func New(svc *auth.Service, log *slog.Logger, opts Options) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{svc: svc, log: log, opts: opts}
}

// Routes registers the auth API on r.
func (h *Handler) Routes(r *web.Router) {
	r.HandleFunc("POST", "/api/v1/auth/register", h.register)
	r.HandleFunc("POST", "/api/v1/auth/login", h.login)
	r.HandleFunc("POST", "/api/v1/auth/refresh", h.refresh)
	r.HandleFunc("POST", "/api/v1/auth/logout", h.logout)
	r.HandleFunc("GET", "/api/v1/auth/me", h.me)
	r.HandleFunc("PATCH", "/api/v1/auth/me", h.updateMe)
	r.HandleFunc("DELETE", "/api/v1/auth/me", h.deleteMe)
}

// UserJSON is a user as the API shows it.
type UserJSON struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"createdAt"`
}

// SessionJSON is the answer of register, login and refresh.
type SessionJSON struct {
	User         UserJSON `json:"user"`
	AccessToken  string   `json:"accessToken"`
	RefreshToken string   `json:"refreshToken"`
	TokenType    string   `json:"tokenType"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int64 `json:"expiresIn"`
}

// RegisterRequest is the body of POST /api/v1/auth/register.
type RegisterRequest struct {
	Email     string `json:"email"`
	Password  string `json:"password"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Role      string `json:"role"`
}

// LoginRequest is the body of POST /api/v1/auth/login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// RefreshRequest is the body of POST /api/v1/auth/refresh and logout.
type RefreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

// UpdateMeRequest is the body of PATCH /api/v1/auth/me; absent fields stay.
type UpdateMeRequest struct {
	FirstName *string `json:"firstName"`
	LastName  *string `json:"lastName"`
	Email     *string `json:"email"`
	Password  *string `json:"password"`
}

func userJSON(u auth.User) UserJSON {
	return UserJSON{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Role: string(u.Role), CreatedAt: u.CreatedAt.UTC()}
}

func (h *Handler) sessionJSON(s auth.Session) SessionJSON {
	return SessionJSON{User: userJSON(s.User), AccessToken: s.AccessToken, RefreshToken: s.RefreshToken,
		TokenType: "Bearer", ExpiresIn: int64(s.AccessTTL.Round(time.Second).Seconds())}
}

func (h *Handler) register(w http.ResponseWriter, r *http.Request) {
	var req RegisterRequest
	if err := web.DecodeJSON(r, w, &req); err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	sess, err := h.svc.Register(r.Context(), auth.Registration{Email: req.Email, Password: req.Password,
		FirstName: req.FirstName, LastName: req.LastName, Role: auth.Role(req.Role)})
	if err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	web.WriteJSON(w, http.StatusCreated, h.sessionJSON(sess))
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	var req LoginRequest
	if err := web.DecodeJSON(r, w, &req); err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	sess, err := h.svc.Login(r.Context(), req.Email, req.Password, h.clientAddress(r))
	if err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, h.sessionJSON(sess))
}

// clientAddress is the address failed logins are counted under.
func (h *Handler) clientAddress(r *http.Request) string {
	if h.opts.TrustForwardedFor {
		if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
			first, _, _ := strings.Cut(fwd, ",")
			return strings.TrimSpace(first)
		}
	}
	return auth.ClientAddress(r.RemoteAddr)
}

func (h *Handler) refresh(w http.ResponseWriter, r *http.Request) {
	var req RefreshRequest
	if err := web.DecodeJSON(r, w, &req); err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	sess, err := h.svc.Refresh(r.Context(), req.RefreshToken)
	if err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, h.sessionJSON(sess))
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	var req RefreshRequest
	if err := web.DecodeJSON(r, w, &req); err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	if err := h.svc.Logout(r.Context(), req.RefreshToken); err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	p, err := authn.Require(r.Context())
	if err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	u, err := h.svc.Me(r.Context(), p.UserID)
	if err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, userJSON(u))
}

func (h *Handler) updateMe(w http.ResponseWriter, r *http.Request) {
	p, err := authn.Require(r.Context())
	if err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	var req UpdateMeRequest
	if err := web.DecodeJSON(r, w, &req); err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	u, err := h.svc.UpdateMe(r.Context(), p.UserID, auth.Patch{FirstName: req.FirstName, LastName: req.LastName,
		Email: req.Email, Password: req.Password})
	if err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	web.WriteJSON(w, http.StatusOK, userJSON(u))
}

func (h *Handler) deleteMe(w http.ResponseWriter, r *http.Request) {
	p, err := authn.Require(r.Context())
	if err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	if err := h.svc.DeleteMe(r.Context(), p.UserID); err != nil {
		web.WriteError(w, r, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
