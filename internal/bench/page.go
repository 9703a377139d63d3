package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"time"

	"github.com/slotwise/slotwise/internal/sqldb"
)

// Defaults of PageConfig, and the goals.
const (
	DefaultPageRequests = 500
	DefaultPageStaff    = 10
	DefaultPageBookings = 1000
	// GoalPageTTFBP99Ms is the most server time to first byte of the
	// service page at the 99th percentile.
	GoalPageTTFBP99Ms = 20.0
	// GoalPageBytes is the most bytes transferred for the whole service
	// page (HTML, CSS and script, gzipped).
	GoalPageBytes = 60 * 1024
	// pageDays is how many days from tomorrow the bookings fill.
	pageDays = 28
)

// webServices run the booking pages: the web needs the business,
// scheduling and payment services in the process.
var webServices = []string{"auth", "business", "scheduling", "payment"}

// PageConfig configures the page benchmark.
type PageConfig struct {
	// Engine is sqldb.SQLite (default) or sqldb.Postgres; DatabaseURL is
	// the PostgreSQL database in which fresh schemas are made.
	Engine      sqldb.Engine
	DatabaseURL string
	// Requests is how many times the page is fetched and timed (default
	// DefaultPageRequests), one at a time.
	Requests int
	// Staff is the business's staff count (default DefaultPageStaff);
	// Bookings how many bookings fill the shown month (default
	// DefaultPageBookings).
	Staff, Bookings int
	// Log receives progress lines; nil discards them.
	Log *slog.Logger
}

// PageBytes is what a first visit to the service page transfers, gzipped.
type PageBytes struct {
	HTML   int `json:"html"`
	Assets int `json:"assets"` // every stylesheet and script the page links
	Total  int `json:"total"`
	// HTMLRaw is the HTML before compression.
	HTMLRaw int `json:"html_raw"`
}

// PageGoals says whether the goals were met in this run.
type PageGoals struct {
	TTFBP99MaxMs float64 `json:"ttfb_p99_max_ms"`
	TTFBMet      bool    `json:"ttfb_met"`
	BytesMax     int     `json:"bytes_max"`
	BytesMet     bool    `json:"bytes_met"`
}

// PageResult is the outcome of Page.
type PageResult struct {
	Machine  Machine      `json:"machine"`
	Engine   sqldb.Engine `json:"engine"`
	Staff    int          `json:"staff"`
	Bookings int          `json:"bookings"`
	// Path is the page timed: the service page of the month the bookings
	// fill, with tomorrow chosen (its slots listed).
	Path string `json:"path"`
	// TTFB is request sent → first response byte, on a kept-alive
	// connection, gzip accepted.
	TTFB  Latency   `json:"ttfb"`
	Bytes PageBytes `json:"bytes"`
	Goals PageGoals `json:"goals"`
}

func (c *PageConfig) defaults() error {
	if c.Engine == "" {
		c.Engine = sqldb.SQLite
	}
	if c.Engine != sqldb.SQLite && c.Engine != sqldb.Postgres {
		return fmt.Errorf("bench: engine %q: want sqlite or postgres", c.Engine)
	}
	if c.Engine == sqldb.Postgres && c.DatabaseURL == "" {
		return ErrNeedDatabaseURL
	}
	if c.Requests <= 0 {
		c.Requests = DefaultPageRequests
	}
	if c.Staff <= 0 {
		c.Staff = DefaultPageStaff
	}
	if c.Bookings < 0 {
		return fmt.Errorf("bench: %d bookings: must not be negative", c.Bookings)
	}
	if c.Bookings == 0 {
		c.Bookings = DefaultPageBookings
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Page measures the public service page of a business with c.Staff staff
// members, open Monday to Saturday 09:00–18:00 on a 15-minute step (as the
// slots benchmark's business), and c.Bookings bookings in the shown month
// and the next weeks (the month view shows every day's free times, so
// the page computes a month of slots for every staff member): server time to
// first byte, and the bytes a first visit transfers. It starts an App on
// 127.0.0.1:0 (the web pages need the business, scheduling and payment
// services), books through the JSON API, then fetches the page.
func Page(ctx context.Context, c PageConfig) (res PageResult, err error) {
	if err := c.defaults(); err != nil {
		return res, err
	}
	c.Log.Info("starting app", "engine", c.Engine, "staff", c.Staff)
	a, err := startApp(ctx, appOptions{engine: c.Engine, databaseURL: c.DatabaseURL, staff: c.Staff,
		conns: 4, services: webServices, workHours: true, log: c.Log})
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, a.close()) }()
	c.Log.Info("booking", "bookings", c.Bookings)
	booked, err := a.fill(ctx, c.Bookings)
	if err != nil {
		return res, err
	}
	zone, err := time.LoadLocation(slotZone)
	if err != nil {
		return res, err
	}
	tomorrow := time.Now().In(zone).AddDate(0, 0, 1)
	path := fmt.Sprintf("/b/%s/%s?month=%s&day=%s", a.subdomain, a.serviceID, tomorrow.Format("2006-01"), tomorrow.Format(time.DateOnly))
	res = PageResult{Machine: ThisMachine(time.Now()), Engine: c.Engine, Staff: len(a.staffIDs), Bookings: booked, Path: path}
	if res.Bytes, err = a.pageBytes(ctx, path); err != nil {
		return res, err
	}
	c.Log.Info("timing", "requests", c.Requests, "path", path)
	if res.TTFB, err = a.ttfb(ctx, path, c.Requests); err != nil {
		return res, err
	}
	res.Goals = PageGoals{TTFBP99MaxMs: GoalPageTTFBP99Ms, TTFBMet: res.TTFB.P99Ms <= GoalPageTTFBP99Ms,
		BytesMax: GoalPageBytes, BytesMet: res.Bytes.Total <= GoalPageBytes}
	return res, nil
}

// fill books up to n of the offered slots of the next pageDays days,
// spread evenly over them, and returns how many it booked.
func (a *benchApp) fill(ctx context.Context, n int) (int, error) {
	slots, err := a.slots(ctx, pageDays)
	if err != nil {
		return 0, err
	}
	if len(slots) < n {
		return 0, fmt.Errorf("bench: %d slots offered in %d days, fewer than %d bookings", len(slots), pageDays, n)
	}
	step := len(slots) / n
	booked := 0
	for i := 0; i < n; i++ {
		status, reason, err := a.book(ctx, slots[i*step], i)
		if err != nil {
			return booked, err
		}
		if status != http.StatusCreated {
			return booked, fmt.Errorf("bench: booking %d: status %d %s", i, status, reason)
		}
		booked++
	}
	return booked, nil
}

// ttfb fetches path n times (gzip accepted, connection kept alive) and
// returns the time from the request written to the first response byte.
func (a *benchApp) ttfb(ctx context.Context, path string, n int) (Latency, error) {
	samples := make([]time.Duration, 0, n)
	for range n {
		var wrote, first time.Time
		trace := &httptrace.ClientTrace{
			WroteRequest:         func(httptrace.WroteRequestInfo) { wrote = time.Now() },
			GotFirstResponseByte: func() { first = time.Now() },
		}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), "GET", a.base+path, nil)
		if err != nil {
			return Latency{}, err
		}
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := a.client.Do(req)
		if err != nil {
			return Latency{}, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return Latency{}, err
		}
		if resp.StatusCode != http.StatusOK {
			return Latency{}, fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
		}
		samples = append(samples, first.Sub(wrote))
	}
	return Summarise(samples), nil
}

// assetRef finds the stylesheets and scripts a page links.
var assetRef = regexp.MustCompile(`<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"`)

// pageBytes fetches the page and every asset it links, gzip accepted, and
// counts the bytes on the wire.
func (a *benchApp) pageBytes(ctx context.Context, path string) (PageBytes, error) {
	html, wire, err := a.fetchGzip(ctx, path)
	if err != nil {
		return PageBytes{}, err
	}
	b := PageBytes{HTML: wire, HTMLRaw: len(html)}
	seen := map[string]bool{}
	for _, m := range assetRef.FindAllSubmatch(html, -1) {
		ref := string(m[1])
		if seen[ref] {
			continue
		}
		seen[ref] = true
		_, n, err := a.fetchGzip(ctx, ref)
		if err != nil {
			return b, err
		}
		b.Assets += n
	}
	if len(seen) == 0 {
		return b, errors.New("bench: the page links no /static/ assets")
	}
	b.Total = b.HTML + b.Assets
	return b, nil
}

// fetchGzip GETs ref with gzip accepted and returns the decoded body and
// the bytes transferred (the body as sent, compressed or not).
func (a *benchApp) fetchGzip(ctx context.Context, ref string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", a.base+ref, nil)
	if err != nil {
		return nil, 0, err
	}
	// Set explicitly, the transport leaves the body compressed.
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("GET %s: status %d", ref, resp.StatusCode)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		return raw, len(raw), nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, 0, fmt.Errorf("GET %s: gzip: %w", ref, err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		return nil, 0, fmt.Errorf("GET %s: gzip: %w", ref, err)
	}
	return body, len(raw), nil
}
