package web

import (
	"net/http"

	"github.com/slotwise/slotwise/internal/apperr"
)

// errorView is an error page.
type errorView struct {
	Status  int
	Heading string
	Message string
	// Back is a link that helps (the page before, the business page).
	Back, BackLabel string
}

// errorPage renders an HTML error page (never JSON on these routes).
func (s *Site) errorPage(w http.ResponseWriter, r *http.Request, e errorView) {
	if e.Back == "" {
		e.Back, e.BackLabel = "/", "Go to the start page"
	}
	v := view{Title: e.Heading, Product: s.cfg.ProductName, Main: e, Embed: framedReq(r)}
	if !v.Embed {
		v.Header = s.header(w, r)
	}
	body, err := s.tpl.execute("error", "layout", v)
	if err != nil {
		s.deps.Logger.ErrorContext(r.Context(), "render error page", "error", err)
		body = []byte(fallbackErrorPage)
		e.Status = http.StatusInternalServerError
	}
	s.write(w, r, e.Status, body)
}

// fallbackErrorPage is sent when even the error template fails.
const fallbackErrorPage = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Something went wrong</title><h1>Something went wrong</h1><p>Please try again in a moment.</p></html>`

// notFound is the 404 page of an unknown subdomain, service, booking or path.
func (s *Site) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, errorView{
		Status: http.StatusNotFound, Heading: "Page not found",
		Message: "We couldn't find that page. The link may be mistyped, or what it pointed to no longer exists.",
	})
}

// badRequest is the 400 page of a malformed link.
func (s *Site) badRequest(w http.ResponseWriter, r *http.Request, message, back, backLabel string) {
	s.errorPage(w, r, errorView{
		Status: http.StatusBadRequest, Heading: "This link doesn't work",
		Message: message, Back: back, BackLabel: backLabel,
	})
}

// forbidden is the 403 page of a refused form (CSRF or cross-origin).
func (s *Site) forbidden(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, errorView{
		Status: http.StatusForbidden, Heading: "This form has expired",
		Message: "For your safety we could not accept this form: it is too old or did not come from this site. Nothing was changed. Please go back, reload the page and try again.",
	})
}

// internal logs err and renders the 500 page.
func (s *Site) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.deps.Logger.ErrorContext(r.Context(), "web request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	s.errorPage(w, r, errorView{
		Status: http.StatusInternalServerError, Heading: "Something went wrong",
		Message: "Sorry — something went wrong on our side. Nothing you did caused it. Please try again in a moment.",
	})
}

// fail renders the page for a use case's error: not found (and
// unauthenticated, which a guest link only gets when it is wrong) → 404;
// a malformed request → 400; anything unexpected → 500.
func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch apperr.CodeOf(err) {
	case apperr.NotFound, apperr.Unauthenticated, apperr.Forbidden:
		s.notFound(w, r)
	case apperr.Invalid:
		s.badRequest(w, r, "Something in this link is not right. Please start again from the booking page.", "", "")
	case apperr.TooManyRequests, apperr.Unavailable:
		s.errorPage(w, r, errorView{Status: http.StatusServiceUnavailable, Heading: "Busy right now",
			Message: "We're busy right now. Please try again in a minute."})
	default:
		s.internal(w, r, err)
	}
}
