package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed site.css site.js embed.js
var files embed.FS

// Prefix is the URL path under which the assets are served.
const Prefix = "/static/"

// CacheControl is sent with every asset: its path changes with its content.
const CacheControl = "public, max-age=31536000, immutable"

// Assets is the embedded asset set, read and gzipped once.
type Assets struct {
	byName map[string]*asset // "site.css"
	byFile map[string]*asset // "site.3f2a9c1b0d4e.css"
}

type asset struct {
	file  string // hashed file name
	ctype string
	body  []byte
	gz    []byte
	etag  string
}

// Load reads and compresses the embedded assets.
func Load() (*Assets, error) {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, fmt.Errorf("static: list assets: %w", err)
	}
	a := &Assets{byName: map[string]*asset{}, byFile: map[string]*asset{}}
	for _, e := range entries {
		body, err := files.ReadFile(e.Name())
		if err != nil {
			return nil, fmt.Errorf("static: read %s: %w", e.Name(), err)
		}
		x, err := newAsset(e.Name(), body)
		if err != nil {
			return nil, err
		}
		a.byName[e.Name()], a.byFile[x.file] = x, x
	}
	return a, nil
}

func newAsset(name string, body []byte) (*asset, error) {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:6])
	ext := path.Ext(name)
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("static: gzip %s: %w", name, err)
	}
	if _, err := zw.Write(body); err != nil {
		return nil, fmt.Errorf("static: gzip %s: %w", name, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("static: gzip %s: %w", name, err)
	}
	ctype := mime.TypeByExtension(ext)
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return &asset{
		file: strings.TrimSuffix(name, ext) + "." + hash + ext, ctype: ctype,
		body: body, gz: gz.Bytes(), etag: `"` + hash + `"`,
	}, nil
}

// Path returns the URL path of the named asset ("site.css" →
// "/static/site.3f2a9c1b0d4e.css"). An unknown name is a programming error
// in a template; it panics so that template tests find it.
func (a *Assets) Path(name string) string {
	x, ok := a.byName[name]
	if !ok {
		panic(fmt.Sprintf("static: no asset %q", name))
	}
	return Prefix + x.file
}

// GzipSize returns the gzipped size of the named asset (0 if unknown): the
// bytes a browser transfers for it.
func (a *Assets) GzipSize(name string) int {
	if x, ok := a.byName[name]; ok {
		return len(x.gz)
	}
	return 0
}

// ServeHTTP serves an asset by its hashed path under Prefix, gzipped when
// the client accepts it; any other path is not found.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x, ok := a.byFile[strings.TrimPrefix(r.URL.Path, Prefix)]
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.NotFound(w, r)
		return
	}
	x.serve(w, r, CacheControl)
}

// Stable returns a handler that serves the named asset at a path that
// does not change with its content — the embed script, whose URL
// businesses paste into their sites — cached for maxAge, then revalidated
// by its ETag. An unknown name panics, as in Path.
func (a *Assets) Stable(name string, maxAge time.Duration) http.Handler {
	x, ok := a.byName[name]
	if !ok {
		panic(fmt.Sprintf("static: no asset %q", name))
	}
	cc := "public, max-age=" + strconv.Itoa(int(maxAge/time.Second))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.NotFound(w, r)
			return
		}
		x.serve(w, r, cc)
	})
}

// serve writes the asset with cacheControl, gzipped when accepted.
func (x *asset) serve(w http.ResponseWriter, r *http.Request, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", x.ctype)
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", x.etag)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Header.Get("If-None-Match") == x.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := x.body
	if AcceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = x.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body) // the client went away; nothing to do
}

// AcceptsGzip reports whether the request's Accept-Encoding allows gzip
// (not "gzip;q=0").
func AcceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
