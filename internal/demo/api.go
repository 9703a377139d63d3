package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// client calls the API as one caller.
type client struct {
	http  *http.Client
	base  string
	token string
}

// call sends in as JSON (nil: no body) and decodes a 2xx answer into out
// (nil: discarded). Any status is returned; err is for transport and
// decoding failures only.
func (c client) call(ctx context.Context, method, path string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return 0, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	if resp.StatusCode/100 == 2 && out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// expect calls and fails unless the answer has the status want.
func (c client) expect(ctx context.Context, want int, method, path string, in, out any) error {
	status, err := c.call(ctx, method, path, in, out)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%s %s: HTTP %d, want %d", method, path, status, want)
	}
	return nil
}
