package scaleout

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// router sends a request to an instance of the service that serves its
// path, as the reverse proxy of docs/operations.md ("Reverse proxy
// routing") does: by path prefix, round-robin over the service's
// instances (a retry goes to the next one).
type router struct {
	services map[string][]*service
	next     atomic.Uint64
}

// serviceOf returns the service serving path, following the routing
// table (more specific prefixes first).
func serviceOf(path string) string {
	p, _, _ := strings.Cut(path, "?")
	seg := strings.Split(strings.Trim(p, "/"), "/") // api v1 ...
	at := func(i int) string {
		if i < len(seg) {
			return seg[i]
		}
		return ""
	}
	switch {
	case at(2) == "auth":
		return "auth"
	case at(2) == "public" && at(3) == "businesses" && at(5) == "slots":
		return "scheduling"
	case at(2) == "public":
		return "business"
	case at(2) == "bookings" && at(4) == "payment":
		return "payment"
	case at(2) == "bookings":
		return "scheduling"
	case at(2) == "payments":
		return "payment"
	case at(2) == "businesses" && at(4) == "bookings":
		return "scheduling"
	case at(2) == "businesses" && at(4) == "webhooks":
		return "notification"
	case at(2) == "businesses":
		return "business"
	}
	return ""
}

// base returns the base URL of the instance to send path to.
func (r *router) base(path string) (string, error) {
	svc := serviceOf(path)
	ins := r.services[svc]
	if len(ins) == 0 {
		return "", fmt.Errorf("no route for %s", path)
	}
	return "http://" + ins[r.next.Add(1)%uint64(len(ins))].addr, nil
}

// apiClient calls the API through the router. Transport errors and 5xx
// answers are retried with backoff until the call's context ends; a
// booking is retried with the same Idempotency-Key (the platform's
// contract for a request that may or may not have been carried out).
type apiClient struct {
	r       *router
	hc      *http.Client
	retries atomic.Int64
	// replayed counts answers marked Idempotent-Replayed: a resent
	// booking whose first attempt had been carried out.
	replayed atomic.Int64
}

func newAPIClient(r *router) *apiClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &apiClient{r: r, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// request is one API call.
type request struct {
	method, path string
	body         any
	token        string
	header       map[string]string
}

// call sends req until it gets an answer below 500 or ctx ends, and
// returns the status and body.
func (c *apiClient) call(ctx context.Context, req request) (int, []byte, error) {
	delay := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		status, body, err := c.once(ctx, req)
		if err == nil && status < 500 {
			return status, body, nil
		}
		last := err
		if last == nil {
			last = fmt.Errorf("%d %s", status, bytes.TrimSpace(body))
		}
		c.retries.Add(1)
		select {
		case <-ctx.Done():
			return 0, nil, fmt.Errorf("%s %s: gave up after %d attempts: %v", req.method, req.path, attempt, last)
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

func (c *apiClient) once(ctx context.Context, req request) (int, []byte, error) {
	base, err := c.r.base(req.path)
	if err != nil {
		return 0, nil, err
	}
	var body io.Reader
	if req.body != nil {
		raw, err := json.Marshal(req.body)
		if err != nil {
			return 0, nil, err
		}
		body = bytes.NewReader(raw)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, base+req.path, body)
	if err != nil {
		return 0, nil, err
	}
	hr.Header.Set("Content-Type", "application/json")
	if req.token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.token)
	}
	for k, v := range req.header {
		hr.Header.Set(k, v)
	}
	resp, err := c.hc.Do(hr)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	if resp.Header.Get("Idempotent-Replayed") == "true" {
		c.replayed.Add(1)
	}
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// expect sends req (retrying as call does) and decodes the answer into
// out when its status is want.
func (c *apiClient) expect(ctx context.Context, req request, want int, out any) error {
	status, body, err := c.call(ctx, req)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%s %s = %d %s, want %d", req.method, req.path, status, bytes.TrimSpace(body), want)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: decode %s: %w", req.method, req.path, body, err)
	}
	return nil
}
