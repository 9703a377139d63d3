// Package httpapi is the business service's HTTP API: handlers, request and
// response bodies, and the OpenAPI fragment (openapi.json) documenting
// exactly the routes Routes registers. Authorization is the use cases'
// job; handlers only read the caller from the request context.
package httpapi

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"

	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/business"
	api "github.com/slotwise/slotwise/internal/httpapi"
)

// OpenAPI is the service's OpenAPI 3 fragment ({"paths", "components"}).
//
//go:embed openapi.json
var OpenAPI []byte

// Handler serves the business API.
type Handler struct {
	svc *business.Service
	log *slog.Logger
}

// New returns the handlers of svc; log records internal errors.
func New(svc *business.Service, log *slog.Logger) *Handler { return &Handler{svc: svc, log: log} }

// Path prefixes.
const (
	businesses = "/api/v1/businesses"
	business1  = businesses + "/{id}"
	services   = business1 + "/services"
	service1   = services + "/{serviceId}"
	staff      = business1 + "/staff"
	hours      = staff + "/{staffId}/availability"
	public     = "/api/v1/public/businesses/{subdomain}"
)

// Routes registers every route of the business API.
func (h *Handler) Routes(r *api.Router) {
	r.HandleFunc("POST", businesses, h.createBusiness)
	r.HandleFunc("GET", businesses, h.listBusinesses)
	r.HandleFunc("GET", business1, h.getBusiness)
	r.HandleFunc("PATCH", business1, h.patchBusiness)
	r.HandleFunc("POST", services, h.createService)
	r.HandleFunc("GET", services, h.listServices)
	r.HandleFunc("GET", service1, h.getService)
	r.HandleFunc("PATCH", service1, h.patchService)
	r.HandleFunc("DELETE", service1, h.deleteService)
	r.HandleFunc("POST", staff, h.addStaff)
	r.HandleFunc("GET", staff, h.listStaff)
	r.HandleFunc("PUT", hours, h.putAvailability)
	r.HandleFunc("GET", hours, h.getAvailability)
	r.HandleFunc("GET", public, h.getPublic)
}

// actor returns the caller: 401 without a token, 403 for a client.
func actor(ctx context.Context) (business.Actor, error) {
	p, err := authn.Require(ctx, authn.RoleOwner)
	if err != nil {
		return business.Actor{}, err
	}
	return business.Actor{UserID: p.UserID, Role: business.Role(p.Role)}, nil
}

// serve runs one handler body: it resolves the caller (when needed), and
// writes the result or the error.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, status int, f func(a business.Actor) (any, error)) {
	a, err := actor(r.Context())
	if err == nil {
		var out any
		if out, err = f(a); err == nil {
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

func (h *Handler) createBusiness(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusCreated, func(a business.Actor) (any, error) {
		var body businessBody
		if err := api.DecodeJSON(r, w, &body); err != nil {
			return nil, err
		}
		b, err := h.svc.CreateBusiness(r.Context(), a, business.NewBusiness(body.patch()))
		return businessOf(b), err
	})
}

func (h *Handler) listBusinesses(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusOK, func(a business.Actor) (any, error) {
		bs, err := h.svc.ListBusinesses(r.Context(), a)
		out := []businessJSON{}
		for _, b := range bs {
			out = append(out, businessOf(b))
		}
		return map[string]any{"businesses": out}, err
	})
}

func (h *Handler) getBusiness(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusOK, func(a business.Actor) (any, error) {
		b, err := h.svc.Business(r.Context(), a, r.PathValue("id"))
		return businessOf(b), err
	})
}

func (h *Handler) patchBusiness(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusOK, func(a business.Actor) (any, error) {
		var body businessBody
		if err := api.DecodeJSON(r, w, &body); err != nil {
			return nil, err
		}
		b, err := h.svc.UpdateBusiness(r.Context(), a, r.PathValue("id"), body.patch())
		return businessOf(b), err
	})
}

func (h *Handler) createService(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusCreated, func(a business.Actor) (any, error) {
		in, err := decodeService(w, r)
		if err != nil {
			return nil, err
		}
		o, err := h.svc.CreateOffering(r.Context(), a, r.PathValue("id"), in)
		return serviceOf(o), err
	})
}

func decodeService(w http.ResponseWriter, r *http.Request) (business.OfferingInput, error) {
	var body serviceBody
	if err := api.DecodeJSON(r, w, &body); err != nil {
		return business.OfferingInput{}, err
	}
	return body.domain()
}

func (h *Handler) listServices(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusOK, func(a business.Actor) (any, error) {
		os, err := h.svc.Offerings(r.Context(), a, r.PathValue("id"))
		out := []serviceJSON{}
		for _, o := range os {
			out = append(out, serviceOf(o))
		}
		return map[string]any{"services": out}, err
	})
}

func (h *Handler) getService(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusOK, func(a business.Actor) (any, error) {
		o, err := h.svc.Offering(r.Context(), a, r.PathValue("id"), r.PathValue("serviceId"))
		return serviceOf(o), err
	})
}

func (h *Handler) patchService(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusOK, func(a business.Actor) (any, error) {
		in, err := decodeService(w, r)
		if err != nil {
			return nil, err
		}
		o, err := h.svc.UpdateOffering(r.Context(), a, r.PathValue("id"), r.PathValue("serviceId"), in)
		return serviceOf(o), err
	})
}

func (h *Handler) deleteService(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusNoContent, func(a business.Actor) (any, error) {
		return nil, h.svc.DeleteOffering(r.Context(), a, r.PathValue("id"), r.PathValue("serviceId"))
	})
}

func (h *Handler) addStaff(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusCreated, func(a business.Actor) (any, error) {
		var body staffBody
		if err := api.DecodeJSON(r, w, &body); err != nil {
			return nil, err
		}
		s, err := h.svc.AddStaff(r.Context(), a, r.PathValue("id"), business.StaffInput{Name: body.Name, Email: body.Email, ServiceIDs: body.ServiceIDs})
		return staffOf(s), err
	})
}

func (h *Handler) listStaff(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusOK, func(a business.Actor) (any, error) {
		ss, err := h.svc.ListStaff(r.Context(), a, r.PathValue("id"))
		out := []staffJSON{}
		for _, s := range ss {
			out = append(out, staffOf(s))
		}
		return map[string]any{"staff": out}, err
	})
}

func (h *Handler) putAvailability(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusOK, func(a business.Actor) (any, error) {
		var body availabilityBody
		if err := api.DecodeJSON(r, w, &body); err != nil {
			return nil, err
		}
		in, err := body.domain()
		if err != nil {
			return nil, err
		}
		out, tz, err := h.svc.SetAvailability(r.Context(), a, r.PathValue("id"), r.PathValue("staffId"), in)
		return availabilityOf(out, tz), err
	})
}

func (h *Handler) getAvailability(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, http.StatusOK, func(a business.Actor) (any, error) {
		av, tz, err := h.svc.Availability(r.Context(), a, r.PathValue("id"), r.PathValue("staffId"))
		return availabilityOf(av, tz), err
	})
}

// getPublic needs no token: it is the booking page's data.
func (h *Handler) getPublic(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Public(r.Context(), r.PathValue("subdomain"))
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, publicOf(v))
}
