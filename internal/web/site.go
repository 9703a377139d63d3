package web

import (
	"fmt"
	"net/http"
	"net/url"

	_ "time/tzdata" // visitors' zones must load on hosts without a zone database

	"github.com/slotwise/slotwise/internal/web/csrf"
	"github.com/slotwise/slotwise/internal/web/static"
)

// maxFormBytes bounds a posted form.
const maxFormBytes = 64 << 10

// Site is the web adapter: its pages, assets and form protection.
type Site struct {
	deps   Deps
	cfg    Config
	csrf   *csrf.Signer
	assets *static.Assets
	tpl    *templates
	cross  *http.CrossOriginProtection
	acct   *accounts // nil: no sign-in here (see account.go)
}

// New returns the site on deps with cfg.
func New(deps Deps, cfg Config) (*Site, error) {
	if err := deps.check(); err != nil {
		return nil, err
	}
	signer, err := cfg.check(deps.Now)
	if err != nil {
		return nil, err
	}
	assets, err := static.Load()
	if err != nil {
		return nil, err
	}
	tpl, err := loadTemplates(assets)
	if err != nil {
		return nil, err
	}
	acct, err := newAccounts(deps, cfg)
	if err != nil {
		return nil, err
	}
	s := &Site{deps: deps, cfg: cfg, csrf: signer, assets: assets, tpl: tpl, cross: http.NewCrossOriginProtection(), acct: acct}
	s.cross.SetDenyHandler(http.HandlerFunc(s.forbidden))
	return s, nil
}

// Routes registers the site's pages and assets on mux. The patterns are
// more specific than a catch-all "/", so the app's JSON 404 for unknown
// paths stays; every path under /b/, /m/ and /embed/ answers HTML. Each
// page under /b/ and /m/ is also served inside a business's frame under
// embedPrefix (see pages_embed.go).
func (s *Site) Routes(mux *http.ServeMux) {
	mux.Handle("GET "+static.Prefix, s.assets)
	mux.Handle("GET /"+embedScript, s.assets.Stable(embedScript, embedScriptCache))
	pages := []struct {
		pattern string
		h       http.HandlerFunc
	}{
		{"GET /{$}", s.landing},
		{"GET /b/{subdomain}", s.businessPage},
		{"GET /b/{subdomain}/{service}", s.servicePage},
		{"GET /b/{subdomain}/{service}/book", s.bookForm},
		{"POST /b/{subdomain}/{service}/book", s.book},
		{"GET /m/{token}", s.managePage},
		{"GET /m/{token}/pay", s.payStep},
		{"POST /m/{token}/pay", s.pay},
		{"GET /m/{token}/booking.ics", s.calendarFile},
		{"GET /m/{token}/cancel", s.cancelForm},
		{"POST /m/{token}/cancel", s.cancel},
		{"GET /m/{token}/reschedule", s.reschedulePage},
		{"POST /m/{token}/reschedule", s.reschedule},
		{"/b/", s.notFound},
		{"/m/", s.notFound},
	}
	for _, p := range pages {
		mux.Handle(p.pattern, s.wrap(p.h))
		if pattern, h, ok := s.framedPage(p.pattern, p.h); ok {
			mux.Handle(pattern, s.wrap(s.embedded(h)))
		}
	}
	mux.Handle("GET /b/{subdomain}/embed", s.wrap(s.embedded(s.embedPage)))
	for _, p := range s.accountRoutes() { // never inside a frame
		mux.Handle(p.pattern, s.wrap(p.h))
	}
}

// wrap adds what every page needs: a 500 page for a panic, a bounded body,
// and the refusal of cross-origin posts.
func (s *Site) wrap(h http.HandlerFunc) http.Handler {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.internal(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		}
		h(w, r)
	})
	return s.cross.Handler(inner)
}

// checkForm parses a posted form and verifies its CSRF token for the
// request's path; on failure it has answered 403 (400 for an unreadable
// body) and returns false.
func (s *Site) checkForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, "We couldn't read this form. Please go back and try again.", "", "")
		return false
	}
	if err := s.csrf.Check(r.PostFormValue(csrf.FieldName), unframedPath(r), ""); err != nil {
		s.forbidden(w, r)
		return false
	}
	return true
}

// form is what a template needs to render a protected form.
type form struct {
	Action string
	Token  string
}

// newForm returns a form posting to action with a fresh token.
func (s *Site) newForm(action string) form {
	return form{Action: action, Token: s.csrf.Token(action, "")}
}

// redirect answers a form post with 303 See Other to a page; inside a
// frame, to the page inside the frame.
func (s *Site) redirect(w http.ResponseWriter, r *http.Request, to string) {
	ancestors := "'none'"
	if f, ok := framed(r); ok {
		ancestors, to = f.ancestors, framedPath(to)
	}
	secure(w.Header(), ancestors)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// baseURL is the site's absolute URL: Config.PublicURL, else the
// request's scheme and host.
func (s *Site) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// Paths of the pages.
func businessPath(sub string) string { return "/b/" + url.PathEscape(sub) }
func servicePath(sub, svc string) string {
	return businessPath(sub) + "/" + url.PathEscape(svc)
}
func bookPath(sub, svc string) string { return servicePath(sub, svc) + "/book" }

// managePath is a booking's manage page, named by its manage token alone
// (the links in the notification service's e-mails have the same form).
func managePath(token string) string { return "/m/" + url.PathEscape(token) }

// withQuery appends the non-empty values of kv (key, value, ...) to p.
func withQuery(p string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return p
	}
	return p + "?" + q.Encode()
}
