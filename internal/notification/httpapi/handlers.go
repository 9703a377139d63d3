// Package httpapi is the notification service's HTTP API: the business
// webhooks (register, list, delete, deliveries, resend), their request and
// response bodies, and the OpenAPI fragment (openapi.json) documenting
// exactly the routes Routes registers. Ownership is the use cases' job;
// handlers only read the caller from the request context.
package httpapi

import (
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/slotwise/slotwise/internal/authn"
	api "github.com/slotwise/slotwise/internal/httpapi"
	"github.com/slotwise/slotwise/internal/notification"
)

// OpenAPI is the service's OpenAPI 3 fragment ({"paths", "components"}).
//
//go:embed openapi.json
var OpenAPI []byte

// Handler serves the webhook API.
type Handler struct {
	svc *notification.Service
	log *slog.Logger
}

// New returns the handlers of svc; log records internal errors.
func New(svc *notification.Service, log *slog.Logger) *Handler { return &Handler{svc: svc, log: log} }

// Paths.
const (
	webhooks   = "/api/v1/businesses/{id}/webhooks"
	webhook1   = webhooks + "/{webhookId}"
	deliveries = webhook1 + "/deliveries"
	resend     = deliveries + "/{deliveryId}/resend"
)

// Routes registers every route of the webhook API.
func (h *Handler) Routes(r *api.Router) {
	r.HandleFunc("POST", webhooks, h.create)
	r.HandleFunc("GET", webhooks, h.list)
	r.HandleFunc("DELETE", webhook1, h.delete)
	r.HandleFunc("GET", deliveries, h.deliveries)
	r.HandleFunc("POST", resend, h.resend)
}

// serve resolves the caller (an owner or admin), runs f and writes its
// result with status, or the error.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, status int, f func(o notification.Owner) (any, error)) {
	p, err := authn.Require(r.Context(), authn.RoleOwner, authn.RoleAdmin)
	if err == nil {
		var out any
		if out, err = f(notification.Owner{UserID: p.UserID, Admin: p.Role == authn.RoleAdmin}); err == nil {
			if out == nil {
				w.WriteHeader(status)
				return
			}
			api.WriteJSON(w, status, out)
			return
		}
	}
	api.WriteError(w, r, h.log, err)
}

type webhookBody struct {
	URL        string   `json:"url"`
	EventTypes []string `json:"eventTypes"`
}

type webhookJSON struct {
	ID         string    `json:"id"`
	BusinessID string    `json:"businessId"`
	URL        string    `json:"url"`
	EventTypes []string  `json:"eventTypes"`
	Secret     string    `json:"secret,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
}

func webhookOf(w notification.Webhook) webhookJSON {
	return webhookJSON{ID: w.ID, BusinessID: w.BusinessID, URL: w.URL, EventTypes: w.EventTypes, Secret: w.Secret, CreatedAt: w.CreatedAt}
}

type attemptJSON struct {
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	StatusCode int       `json:"statusCode,omitempty"`
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"durationMs"`
}

type deliveryJSON struct {
	ID             string        `json:"id"`
	WebhookID      string        `json:"webhookId"`
	EventID        string        `json:"eventId"`
	EventType      string        `json:"eventType"`
	Status         string        `json:"status"`
	Attempts       int           `json:"attempts"`
	NextAttemptAt  *time.Time    `json:"nextAttemptAt,omitempty"`
	LastStatusCode int           `json:"lastStatusCode,omitempty"`
	LastError      string        `json:"lastError,omitempty"`
	CreatedAt      time.Time     `json:"createdAt"`
	UpdatedAt      time.Time     `json:"updatedAt"`
	History        []attemptJSON `json:"history"`
}

func deliveryOf(d notification.WebhookDelivery) deliveryJSON {
	out := deliveryJSON{
		ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, EventType: d.EventType, Status: d.Status,
		Attempts: d.Attempts, LastStatusCode: d.LastStatusCode, LastError: d.LastError,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, History: []attemptJSON{},
	}
	if d.Status == notification.WebhookPending {
		next := d.NextAttemptAt
		out.NextAttemptAt = &next
	}
	for _, a := range d.History {
		out.History = append(out.History, attemptJSON{Attempt: a.Attempt, At: a.At, StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.Duration.Milliseconds()})
	}
	return out
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusCreated, func(o notification.Owner) (any, error) {
		var body webhookBody
		if err := api.DecodeJSON(r, w, &body); err != nil {
			return nil, err
		}
		wh, err := h.svc.CreateWebhook(r.Context(), o, r.PathValue("id"), body.URL, body.EventTypes)
		return webhookOf(wh), err
	})
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusOK, func(o notification.Owner) (any, error) {
		ws, err := h.svc.Webhooks(r.Context(), o, r.PathValue("id"))
		out := []webhookJSON{}
		for _, wh := range ws {
			out = append(out, webhookOf(wh))
		}
		return map[string]any{"webhooks": out}, err
	})
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusNoContent, func(o notification.Owner) (any, error) {
		return nil, h.svc.DeleteWebhook(r.Context(), o, r.PathValue("id"), r.PathValue("webhookId"))
	})
}

func (h *Handler) deliveries(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusOK, func(o notification.Owner) (any, error) {
		ds, err := h.svc.WebhookDeliveries(r.Context(), o, r.PathValue("id"), r.PathValue("webhookId"))
		out := []deliveryJSON{}
		for _, d := range ds {
			out = append(out, deliveryOf(d))
		}
		return map[string]any{"deliveries": out}, err
	})
}

func (h *Handler) resend(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusAccepted, func(o notification.Owner) (any, error) {
		d, err := h.svc.ResendWebhookDelivery(r.Context(), o, r.PathValue("id"), r.PathValue("webhookId"), r.PathValue("deliveryId"))
		return deliveryOf(d), err
	})
}
