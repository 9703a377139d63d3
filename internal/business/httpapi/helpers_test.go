package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/httpapi"
)

// client talks HTTP to a started App as one caller ("" token: anonymous).
type client struct {
	t     *testing.T
	base  string
	token string
}

// do sends body (nil: none; string or []byte: raw; else JSON) and returns
// the status and the response body.
func (c client) do(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("marshal: %v", err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatalf("request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return resp.StatusCode, out
}

// must sends a request that must answer want and decodes the answer.
func must[T any](c client, want int, method, path string, body any) T {
	c.t.Helper()
	status, raw := c.do(method, path, body)
	if status != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, status, raw, want)
	}
	var out T
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return out
}

type obj = map[string]any

// registerOwner registers a business owner through the auth API and
// returns a client with their token and their user id.
func registerOwner(t *testing.T, h *apptest.Harness, email string) (client, string) {
	t.Helper()
	anon := client{t: t, base: h.BaseURL}
	s := must[obj](anon, 201, "POST", "/api/v1/auth/register", obj{
		"email": email, "password": "correct horse battery", "firstName": "Ada", "lastName": "Lovelace", "role": "business_owner",
	})
	user, _ := s["user"].(map[string]any)
	return client{t: t, base: h.BaseURL, token: s["accessToken"].(string)}, user["id"].(string)
}

// issued returns a client with a token for (userID, role) signed with the
// App's own keys (for roles the API does not hand out, e.g. admin).
func issued(t *testing.T, h *apptest.Harness, userID string, role authn.Role) client {
	t.Helper()
	keys, err := authn.LoadOrCreateKeySet(h.Config.JWTKeysPath())
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := authn.NewTokens(keys, time.Hour, nil).Issue(authn.Principal{UserID: userID, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return client{t: t, base: h.BaseURL, token: tok}
}

// errorOf decodes an error body.
func errorOf(t *testing.T, raw []byte) httpapi.ErrorDetail {
	t.Helper()
	var e httpapi.ErrorBody
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("error body %s: %v", raw, err)
	}
	return e.Error
}

// snapshot returns every row of the business database's tables (the
// outbox included), as text, to compare before and after a request.
func snapshot(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	var tables []string
	// The relay's bookkeeping columns of the outbox change on their own;
	// the events recorded do not.
	for table, query := range map[string]string{
		"businesses": "SELECT * FROM businesses", "services": "SELECT * FROM services",
		"staff": "SELECT * FROM staff", "availability": "SELECT * FROM availability", "owners": "SELECT * FROM owners",
		"outbox_events": "SELECT event_id, event_type, event_data FROM outbox_events",
	} {
		rows, err := db.QueryContext(context.Background(), query)
		if err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		lines := scanAll(t, rows)
		sort.Strings(lines)
		tables = append(tables, fmt.Sprintf("%s (%d)\n%s\n", table, len(lines), strings.Join(lines, "\n")))
	}
	sort.Strings(tables)
	for _, tb := range tables {
		b.WriteString(tb)
	}
	return b.String()
}

func scanAll(t *testing.T, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%v", vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitOwners waits until the owner projection holds n users with names (a
// placeholder row has none), so that its consumer has nothing left to
// change.
func waitOwners(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	apptest.WaitFor(t, fmt.Sprintf("%d owners in the projection", n), func() bool {
		var got int
		if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM owners WHERE first_name <> ''").Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got == n
	})
}
