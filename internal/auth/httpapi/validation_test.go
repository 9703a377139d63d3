package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestRequestBodiesAreValidated: every auth body with a missing field, a
// wrong type, a bad value or too many bytes is a 4xx naming the field, and
// nothing is written.
func TestRequestBodiesAreValidated(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := apptest.StartEngine(t, engine)
		owner := register(t, h, "owner@example.com", "business_owner")
		db := h.OpenDB(t, "auth")
		users, events := count(t, db, "users"), count(t, db, "outbox_events")

		good := `"email":"new@example.com","password":"12345678","firstName":"A","lastName":"B"`
		huge := `{"email":"` + strings.Repeat("x", 70<<10) + `@example.com"}`
		tests := []struct {
			name, method, path, body string
			status                   int
			field                    string
		}{
			{"register missing email", "POST", "/api/v1/auth/register", `{"password":"12345678","firstName":"A","lastName":"B","role":"client"}`, 400, "email"},
			{"register missing password", "POST", "/api/v1/auth/register", `{"email":"n@example.com","firstName":"A","lastName":"B","role":"client"}`, 400, "password"},
			{"register missing firstName", "POST", "/api/v1/auth/register", `{"email":"n@example.com","password":"12345678","lastName":"B","role":"client"}`, 400, "firstName"},
			{"register missing lastName", "POST", "/api/v1/auth/register", `{"email":"n@example.com","password":"12345678","firstName":"A","role":"client"}`, 400, "lastName"},
			{"register missing role", "POST", "/api/v1/auth/register", `{` + good + `}`, 400, "role"},
			{"register email of wrong type", "POST", "/api/v1/auth/register", `{"email":42,"password":"12345678","firstName":"A","lastName":"B","role":"client"}`, 400, "email"},
			{"register password of wrong type", "POST", "/api/v1/auth/register", `{"email":"n@example.com","password":12345678,"firstName":"A","lastName":"B","role":"client"}`, 400, "password"},
			{"register bad email", "POST", "/api/v1/auth/register", `{"email":"not-an-email","password":"12345678","firstName":"A","lastName":"B","role":"client"}`, 400, "email"},
			{"register short password", "POST", "/api/v1/auth/register", `{"email":"n@example.com","password":"1234567","firstName":"A","lastName":"B","role":"client"}`, 400, "password"},
			{"register long firstName", "POST", "/api/v1/auth/register", `{"email":"n@example.com","password":"12345678","firstName":"` + strings.Repeat("a", 101) + `","lastName":"B","role":"client"}`, 400, "firstName"},
			{"register unknown role", "POST", "/api/v1/auth/register", `{` + good + `,"role":"root"}`, 400, "role"},
			{"register role admin", "POST", "/api/v1/auth/register", `{` + good + `,"role":"admin"}`, 403, "role"},
			{"register unknown field", "POST", "/api/v1/auth/register", `{` + good + `,"role":"client","isAdmin":true}`, 400, "isAdmin"},
			{"register duplicate email in capitals", "POST", "/api/v1/auth/register", `{"email":"OWNER@example.com","password":"12345678","firstName":"A","lastName":"B","role":"client"}`, 409, "email"},
			{"register oversized body", "POST", "/api/v1/auth/register", huge, 413, ""},
			{"login missing email", "POST", "/api/v1/auth/login", `{"password":"12345678"}`, 400, "email"},
			{"login missing password", "POST", "/api/v1/auth/login", `{"email":"owner@example.com"}`, 400, "password"},
			{"login password of wrong type", "POST", "/api/v1/auth/login", `{"email":"owner@example.com","password":true}`, 400, "password"},
			{"login oversized body", "POST", "/api/v1/auth/login", huge, 413, ""},
			{"refresh missing token", "POST", "/api/v1/auth/refresh", `{}`, 400, "refreshToken"},
			{"refresh token of wrong type", "POST", "/api/v1/auth/refresh", `{"refreshToken":1}`, 400, "refreshToken"},
			{"logout missing token", "POST", "/api/v1/auth/logout", `{}`, 400, "refreshToken"},
			{"logout oversized body", "POST", "/api/v1/auth/logout", huge, 413, ""},
			{"patch bad email", "PATCH", "/api/v1/auth/me", `{"email":"nope"}`, 400, "email"},
			{"patch empty firstName", "PATCH", "/api/v1/auth/me", `{"firstName":"  "}`, 400, "firstName"},
			{"patch lastName of wrong type", "PATCH", "/api/v1/auth/me", `{"lastName":["x"]}`, 400, "lastName"},
			{"patch short password", "PATCH", "/api/v1/auth/me", `{"password":"short"}`, 400, "password"},
			{"patch unknown field", "PATCH", "/api/v1/auth/me", `{"role":"admin"}`, 400, "role"},
			{"patch oversized body", "PATCH", "/api/v1/auth/me", huge, 413, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				token := ""
				if tc.method == "PATCH" {
					token = owner.AccessToken
				}
				r := call(t, h, tc.method, tc.path, token, tc.body)
				expect(t, tc.method+" "+tc.path, r, tc.status)
				if e := r.errorBody(t); e.Field != tc.field {
					t.Errorf("error field = %q, want %q (%+v)", e.Field, tc.field, e)
				}
			})
		}
		if n := count(t, db, "users"); n != users {
			t.Errorf("%d users after refused requests, want %d", n, users)
		}
		if n := count(t, db, "outbox_events"); n != events {
			t.Errorf("%d outbox rows after refused requests, want %d", n, events)
		}
		// Another owner's e-mail through PATCH is a 409 too.
		register(t, h, "other@example.com", "client")
		r := call(t, h, "PATCH", "/api/v1/auth/me", owner.AccessToken, `{"email":"Other@Example.com"}`)
		expect(t, "patch to a taken e-mail", r, http.StatusConflict)
		if e := r.errorBody(t); e.Field != "email" || e.Reason != "duplicate_email" {
			t.Errorf("conflict error = %+v", e)
		}
	})
}

// TestLoginIsThrottled: five failed logins for an e-mail, then a 429 with
// Retry-After, even with the right password. (That logins work again once
// the window has passed is TestServiceLoginThrottle's, with a test clock.)
func TestLoginIsThrottled(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := apptest.StartEngine(t, engine)
		register(t, h, "ada@example.com", "client")
		bad := map[string]string{"email": "ada@example.com", "password": "wrong password"}
		for i := range 5 {
			r := call(t, h, "POST", "/api/v1/auth/login", "", bad)
			expect(t, "bad login "+strconv.Itoa(i+1), r, http.StatusUnauthorized)
		}
		r := call(t, h, "POST", "/api/v1/auth/login", "", map[string]string{"email": "ada@example.com", "password": password})
		expect(t, "login after 5 failures", r, http.StatusTooManyRequests)
		secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > 15*60 {
			t.Errorf("Retry-After = %q, want 1..900 seconds", r.Header.Get("Retry-After"))
		}
		if e := r.errorBody(t); e.Code != "too_many_requests" {
			t.Errorf("error = %+v", e)
		}
	})
}

func count(t *testing.T, db *sqldb.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
