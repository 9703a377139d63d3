package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/slotwise/slotwise/internal/web/static"
)

//go:embed templates
var templateFiles embed.FS

// FragmentHeader, sent with a request for a page that has a swappable
// region, asks for that region's HTML only (the script sends it).
const FragmentHeader = "SW-Fragment"

// Security headers of every HTML response.
const (
	// csp allows no inline script or style; frame-ancestors is appended.
	csp            = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; object-src 'none'"
	referrerPolicy = "strict-origin-when-cross-origin"
)

// view is what the layout renders: the page's title, flags of the layout,
// and the page's own data (Main).
type view struct {
	Title   string
	Product string
	// Embed drops the header and footer (a page inside an iframe).
	Embed bool
	// Refresh, when positive, reloads the page after that many seconds
	// (waiting for an asynchronous step, e.g. a payment being set up).
	Refresh int
	// Main is the page's data, for its "main" template.
	Main any
	// Header is the header's account part (sign-in link or the user).
	Header headerView
}

// templates are the pages, each parsed with the layout and the partials.
type templates struct {
	pages map[string]*template.Template
}

func loadTemplates(assets *static.Assets) (*templates, error) {
	funcs := template.FuncMap{"asset": assets.Path}
	base, err := template.New("base").Funcs(funcs).ParseFS(templateFiles, "templates/layout/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, name := range names {
		clone, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("web: clone layout: %w", err)
		}
		page, err := clone.ParseFS(templateFiles, name)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		t.pages[strings.TrimSuffix(path.Base(name), ".tmpl")] = page
	}
	return t, nil
}

// execute runs the named template of a page into a buffer, so that a
// failing template never sends half a page.
func (t *templates) execute(page, name string, data any) ([]byte, error) {
	tpl, ok := t.pages[page]
	if !ok {
		return nil, fmt.Errorf("web: no page %q", page)
	}
	var buf bytes.Buffer
	if err := tpl.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("web: render %s/%s: %w", page, name, err)
	}
	return buf.Bytes(), nil
}

// render writes a whole page with status; inside a frame (see pages_embed.go)
// with the embed layout.
func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	s.renderWith(w, r, status, page, v, policy{})
}

// renderWith is render with a page's own additions to the CSP.
func (s *Site) renderWith(w http.ResponseWriter, r *http.Request, status int, page string, v view, p policy) {
	v.Product = s.cfg.ProductName
	if _, ok := framed(r); ok {
		v.Embed = true
	}
	if !v.Embed {
		v.Header = s.header(w, r)
	}
	body, err := s.tpl.execute(page, "layout", v)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.writeWith(w, r, status, body, p)
}

// renderFragment writes the named region of a page (for FragmentHeader).
func (s *Site) renderFragment(w http.ResponseWriter, r *http.Request, status int, page, name string, data any) {
	body, err := s.tpl.execute(page, name, data)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.write(w, r, status, body)
}

// wantsFragment reports whether the request asks for a region only.
func wantsFragment(r *http.Request) bool { return r.Header.Get(FragmentHeader) != "" }

// write sends an HTML body with the security headers, gzipped when the
// client accepts it. Inside a frame, the body's links keep to the frame
// (embedLinks) and the business's origins may frame it.
func (s *Site) write(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	s.writeWith(w, r, status, body, policy{})
}

// writeWith is write with a page's own additions to the CSP.
func (s *Site) writeWith(w http.ResponseWriter, r *http.Request, status int, body []byte, p policy) {
	h := w.Header()
	p.frameAncestors = "'none'"
	if f, ok := framed(r); ok {
		p.frameAncestors = f.ancestors
		body = embedLinks(body, f)
	}
	p.set(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Encoding")
	h.Add("Vary", FragmentHeader)
	if static.AcceptsGzip(r) && len(body) > 512 {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		_, _ = zw.Write(body) // writes to memory
		if err := zw.Close(); err == nil {
			body = gz.Bytes()
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // the client went away; nothing to do
	}
}

// policy is what an HTML response's security headers add to csp.
type policy struct {
	// frameAncestors is the source list of who may frame the response
	// ("'none'" except inside a business's frame).
	frameAncestors string
	// formTargets are origins besides 'self' that the page's forms may
	// lead to: a form whose answer redirects to a provider's hosted
	// payment page needs that page's origin, for browsers check
	// form-action on redirects too.
	formTargets []string
}

// set sets the security headers of an HTML response.
func (p policy) set(h http.Header) {
	v := csp
	if len(p.formTargets) > 0 {
		v = strings.Replace(v, "form-action 'self'", "form-action 'self' "+strings.Join(p.formTargets, " "), 1)
	}
	h.Set("Content-Security-Policy", v+"; frame-ancestors "+p.frameAncestors)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", referrerPolicy)
	if p.frameAncestors == "'none'" {
		h.Set("X-Frame-Options", "DENY")
	}
}

// secure sets the security headers of an HTML response; frameAncestors is
// the CSP source list of who may frame it.
func secure(h http.Header, frameAncestors string) {
	policy{frameAncestors: frameAncestors}.set(h)
}
