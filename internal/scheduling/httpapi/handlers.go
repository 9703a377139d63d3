// Package httpapi is the scheduling service's HTTP API: the public slot
// search, bookings (create, read, cancel, reschedule), the caller's own
// bookings ("my bookings", paged) and a business's booking list; request and response bodies; and the OpenAPI fragment
// (openapi.json) documenting exactly the routes Routes registers.
// Authorization is the use cases' job; handlers only read the caller from
// the request context (and a guest's ?token=).
package httpapi

import (
	_ "embed"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/authn"
	api "github.com/slotwise/slotwise/internal/httpapi"
	"github.com/slotwise/slotwise/internal/scheduling"
)

// OpenAPI is the service's OpenAPI 3 fragment ({"paths", "components"}).
//
//go:embed openapi.json
var OpenAPI []byte

// Handler serves the scheduling API.
type Handler struct {
	svc *scheduling.Service
	log *slog.Logger
}

// New returns the handlers of svc; log records internal errors.
func New(svc *scheduling.Service, log *slog.Logger) *Handler { return &Handler{svc: svc, log: log} }

// HeaderIdempotencyKey names the request's idempotency key;
// HeaderReplayed marks an answer repeated for a known key.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderReplayed       = "Idempotent-Replayed"
)

// Paths.
const (
	slotsPath      = "/api/v1/public/businesses/{subdomain}/slots"
	bookings       = "/api/v1/bookings"
	booking1       = bookings + "/{id}"
	cancelPath     = booking1 + "/cancel"
	reschedulePath = booking1 + "/reschedule"
	businessList   = "/api/v1/businesses/{id}/bookings"
)

// Routes registers every route of the scheduling API.
func (h *Handler) Routes(r *api.Router) {
	r.HandleFunc("GET", slotsPath, h.getSlots)
	r.HandleFunc("POST", bookings, h.createBooking)
	r.HandleFunc("GET", bookings, h.myBookings)
	r.HandleFunc("GET", booking1, h.getBooking)
	r.HandleFunc("POST", cancelPath, h.cancelBooking)
	r.HandleFunc("POST", reschedulePath, h.rescheduleBooking)
	r.HandleFunc("GET", businessList, h.listBookings)
}

// actor returns the caller (anonymous without a token) and a guest's
// ?token=.
func actor(r *http.Request) scheduling.Actor {
	a := scheduling.Actor{ManageToken: r.URL.Query().Get("token")}
	if p, ok := authn.FromContext(r.Context()); ok {
		a.UserID, a.Role = p.UserID, scheduling.Role(p.Role)
	}
	return a
}

// reply writes out with status, or err.
func (h *Handler) reply(w http.ResponseWriter, r *http.Request, status int, out any, err error) {
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	api.WriteJSON(w, status, out)
}

func (h *Handler) getSlots(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ans, err := h.svc.Slots(r.Context(), scheduling.SlotQuery{
		Subdomain: r.PathValue("subdomain"), ServiceID: q.Get("serviceId"), StaffID: q.Get("staffId"),
		From: q.Get("from"), To: q.Get("to"), TimeZone: q.Get("timeZone"),
	})
	h.reply(w, r, http.StatusOK, slotsOf(ans), err)
}

func (h *Handler) createBooking(w http.ResponseWriter, r *http.Request) {
	var body bookingBody
	if err := api.DecodeJSON(r, w, &body); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	in := scheduling.BookingInput{
		BusinessID: body.BusinessID, ServiceID: body.ServiceID, StaffID: body.StaffID, StartTime: body.StartTime,
		Note: body.Note, IdempotencyKey: r.Header.Get(HeaderIdempotencyKey),
	}
	if body.Client != nil {
		in.Client = &scheduling.Guest{Name: body.Client.Name, Email: body.Client.Email, Phone: body.Client.Phone}
	}
	c, err := h.svc.CreateBooking(r.Context(), actor(r), in)
	if err == nil && c.Replayed {
		w.Header().Set(HeaderReplayed, "true")
	}
	out := bookingOf(c.Booking)
	out.ManageToken = c.ManageToken
	h.reply(w, r, http.StatusCreated, out, err)
}

func (h *Handler) myBookings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lq := scheduling.ClientListQuery{When: q.Get("when"), Cursor: q.Get("cursor")}
	if v := q.Get("limit"); v != "" {
		// The use case reads 0 as "the default"; a 0 given is out of range.
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			api.WriteError(w, r, h.log, apperr.Field(apperr.Invalid, "limit",
				"limit must be a whole number from 1 to %d, got %q", scheduling.MaxPageSize, v))
			return
		}
		lq.Limit = n
	}
	page, err := h.svc.ClientBookings(r.Context(), actor(r), lq)
	h.reply(w, r, http.StatusOK, pageOf(page), err)
}

func (h *Handler) getBooking(w http.ResponseWriter, r *http.Request) {
	b, err := h.svc.Booking(r.Context(), actor(r), r.PathValue("id"))
	h.reply(w, r, http.StatusOK, bookingOf(b), err)
}

func (h *Handler) cancelBooking(w http.ResponseWriter, r *http.Request) {
	var body cancelBody
	if r.ContentLength != 0 {
		if err := api.DecodeJSON(r, w, &body); err != nil {
			api.WriteError(w, r, h.log, err)
			return
		}
	}
	b, err := h.svc.Cancel(r.Context(), actor(r), r.PathValue("id"), body.Reason)
	h.reply(w, r, http.StatusOK, bookingOf(b), err)
}

func (h *Handler) rescheduleBooking(w http.ResponseWriter, r *http.Request) {
	var body rescheduleBody
	if err := api.DecodeJSON(r, w, &body); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	b, err := h.svc.Reschedule(r.Context(), actor(r), r.PathValue("id"), body.StartTime)
	h.reply(w, r, http.StatusOK, bookingOf(b), err)
}

func (h *Handler) listBookings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := h.svc.BusinessBookings(r.Context(), actor(r), r.PathValue("id"), scheduling.ListQuery{
		From: q.Get("from"), To: q.Get("to"), Status: q.Get("status"),
	})
	out := make([]bookingJSON, 0, len(list))
	for _, b := range list {
		out = append(out, bookingOf(b))
	}
	h.reply(w, r, http.StatusOK, map[string]any{"bookings": out}, err)
}
