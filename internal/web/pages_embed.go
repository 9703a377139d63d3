package web

// Embedding: a business's booking pages inside a frame on its own site.
//
// /b/{subdomain}/embed is the frame's first page: the business's services
// in the embed layout (no header or footer). Every further step inside the
// frame is the same page as outside, under embedPrefix (/embed/b/…,
// /embed/m/…): Routes registers those pages a second time behind embedded,
// which marks the request as framed. A framed answer keeps the visitor in
// the frame without the pages knowing of it: its same-site links and form
// actions get the prefix (embedLinks), as do its redirects, and its CSRF
// tokens are checked against the path without it. Only framed answers may
// be framed, and only by the origins the business lists (CSP
// frame-ancestors; 'none' when it lists none); every other answer sends
// frame-ancestors 'none' and X-Frame-Options DENY.
//
// The script a business pastes (static/embed.js, also at the stable path
// /embed.js) inserts the frame and sizes it to the height the framed
// pages post (site.js).

import (
	"bytes"
	"context"
	"errors"
	"html"
	"net/http"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/scheduling"
)

const (
	// embedPrefix is the path prefix of the pages inside a frame.
	embedPrefix = "/embed"
	// embedScript is the script a business pastes, served at
	// "/"+embedScript as well as at its hashed path.
	embedScript = "embed.js"
	// embedScriptCache is how long browsers keep the script at its stable
	// path before they ask again (with its ETag).
	embedScriptCache = time.Hour
)

// frameKey is the context key of a framed request's frame.
type frameKey struct{}

// frame is a framed request's state.
type frame struct {
	// ancestors is the CSP frame-ancestors source list: the business's
	// embed origins, or 'none'.
	ancestors string
	// home is the frame's first page (/b/{subdomain}/embed), where links
	// to the start page lead instead ("" when the business is unknown).
	home string
}

// framed returns the frame of a request inside one.
func framed(r *http.Request) (frame, bool) {
	f, ok := r.Context().Value(frameKey{}).(frame)
	return f, ok
}

// framedReq reports whether the request is inside a business's frame.
func framedReq(r *http.Request) bool {
	_, ok := framed(r)
	return ok
}

// embedded serves h as a page inside the frame of the business the
// request's path names (by subdomain or by a booking's manage token).
func (s *Site) embedded(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h(w, r.WithContext(context.WithValue(r.Context(), frameKey{}, s.frameOf(r))))
	}
}

// frameOf returns the frame of the business the request's path names:
// the origins it lets frame its pages, else 'none' (also for a business
// or booking that is not found — the page says so, unframed).
func (s *Site) frameOf(r *http.Request) frame {
	ctx := r.Context()
	var pv business.PublicView
	var err error
	switch sub, token := r.PathValue("subdomain"), r.PathValue("token"); {
	case sub != "":
		pv, err = s.deps.Businesses.Public(ctx, sub)
	case token != "":
		var b scheduling.Booking
		if b, err = s.deps.Scheduler.BookingByToken(ctx, token); err == nil {
			pv, err = s.businessOf(ctx, b.BusinessID)
		}
	default:
		err = errors.New("no business in the path")
	}
	if err != nil {
		return frame{ancestors: "'none'"}
	}
	return frame{ancestors: sourceList(pv.Business.EmbedOrigins), home: businessPath(pv.Business.Subdomain) + "/embed"}
}

// sourceList joins origins into a CSP source list. The business service
// validated them; any that could still break the header out of its
// directive is left out all the same.
func sourceList(origins []string) string {
	var ok []string
	for _, o := range origins {
		if o != "" && !strings.ContainsAny(o, " \t\r\n;,'\"") {
			ok = append(ok, o)
		}
	}
	if len(ok) == 0 {
		return "'none'"
	}
	return strings.Join(ok, " ")
}

// framedPage returns a page under /b/ or /m/ again, under embedPrefix; a
// business's page inside the frame is the frame's first page. Other pages
// are not framed (ok false).
func (s *Site) framedPage(pattern string, h http.HandlerFunc) (string, http.HandlerFunc, bool) {
	method, path, found := strings.Cut(pattern, " ")
	if !found {
		method, path = "", pattern
	}
	if !strings.HasPrefix(path, "/b/") && !strings.HasPrefix(path, "/m/") {
		return "", nil, false
	}
	if pattern == "GET /b/{subdomain}" {
		h = s.embedPage
	}
	return strings.TrimSpace(method + " " + embedPrefix + path), h, true
}

// Same-site references in a framed page, and what they become.
var (
	sitePaths   = [][]byte{[]byte(`href="/b/`), []byte(`href="/m/`), []byte(`action="/b/`), []byte(`action="/m/`)}
	framedPaths = [][]byte{[]byte(`href="` + embedPrefix + `/b/`), []byte(`href="` + embedPrefix + `/m/`),
		[]byte(`action="` + embedPrefix + `/b/`), []byte(`action="` + embedPrefix + `/m/`)}
)

// embedLinks keeps a framed page's links and forms inside frame f: the
// booking pages' paths get embedPrefix, and a link to the start page
// (which may not be framed) leads to the frame's first page. Absolute
// URLs are left as they are.
func embedLinks(body []byte, f frame) []byte {
	for i, p := range sitePaths {
		body = bytes.ReplaceAll(body, p, framedPaths[i])
	}
	if f.home != "" {
		body = bytes.ReplaceAll(body, []byte(`href="/"`), []byte(`href="`+html.EscapeString(f.home)+`"`))
	}
	return body
}

// framedPath is a redirect's target inside the frame.
func framedPath(to string) string {
	if strings.HasPrefix(to, "/b/") || strings.HasPrefix(to, "/m/") {
		return embedPrefix + to
	}
	return to
}

// unframedPath is the request's path as the pages know it (without
// embedPrefix inside a frame): the path a form's CSRF token was made for.
func unframedPath(r *http.Request) string {
	if _, ok := framed(r); ok && strings.HasPrefix(r.URL.Path, embedPrefix+"/") {
		return strings.TrimPrefix(r.URL.Path, embedPrefix)
	}
	return r.URL.Path
}

// embedView is the frame's first page: the business's services.
type embedView struct {
	Name     string
	Services []serviceCard
}

// embedPage is a business's page inside its frame: its name and services,
// compact; each service leads to its picker inside the frame.
func (s *Site) embedPage(w http.ResponseWriter, r *http.Request) {
	pv, err := s.deps.Businesses.Public(r.Context(), r.PathValue("subdomain"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := embedView{Name: pv.Business.Name}
	for _, o := range pv.Offerings {
		v.Services = append(v.Services, serviceCard{
			Name: o.Name, Description: o.Description, Duration: duration(o.DurationMinutes),
			Price: price(o.PriceMinor, o.Currency), RequiresPayment: o.RequiresPayment,
			URL: servicePath(pv.Business.Subdomain, o.ID),
		})
	}
	s.render(w, r, http.StatusOK, "embed", view{Title: "Book with " + pv.Business.Name, Embed: true, Main: v})
}
