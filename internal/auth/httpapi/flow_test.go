package httpapi_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestAuthFlowOverHTTP: register → login → me → patch → refresh → logout →
// delete against the started App; each event is in the stream once, in the
// seed's shape, valid against the catalog.
func TestAuthFlowOverHTTP(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := apptest.StartEngine(t, engine)
		reg := register(t, h, "Ada@Example.com", "business_owner")
		if reg.User.Email != "ada@example.com" || reg.User.Role != "business_owner" || reg.AccessToken == "" ||
			reg.RefreshToken == "" || reg.TokenType != "Bearer" || reg.ExpiresIn != 900 || reg.User.CreatedAt == "" {
			t.Fatalf("register answer = %+v", reg)
		}
		r := call(t, h, "POST", "/api/v1/auth/login", "", map[string]string{"email": "ADA@example.com", "password": password})
		expect(t, "login", r, http.StatusOK)
		var login session
		r.decode(t, &login)

		r = call(t, h, "GET", "/api/v1/auth/me", login.AccessToken, nil)
		expect(t, "me", r, http.StatusOK)
		var me map[string]any
		r.decode(t, &me)
		if keys := slices.Sorted(maps.Keys(me)); !slices.Equal(keys, []string{"createdAt", "email", "firstName", "id", "lastName", "role"}) {
			t.Errorf("user JSON keys = %v", keys)
		}
		if me["id"] != reg.User.ID {
			t.Errorf("me = %v, want user %s", me, reg.User.ID)
		}

		r = call(t, h, "PATCH", "/api/v1/auth/me", login.AccessToken, `{"firstName": "Jane", "lastName": "Smith"}`)
		expect(t, "patch me", r, http.StatusOK)
		r.decode(t, &me)
		if me["firstName"] != "Jane" || me["lastName"] != "Smith" {
			t.Errorf("patched user = %v", me)
		}

		r = call(t, h, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": login.RefreshToken})
		expect(t, "refresh", r, http.StatusOK)
		var next session
		r.decode(t, &next)
		if next.RefreshToken == login.RefreshToken || next.User.FirstName != "Jane" {
			t.Errorf("refresh answer = %+v", next)
		}
		r = call(t, h, "POST", "/api/v1/auth/logout", "", map[string]string{"refreshToken": next.RefreshToken})
		expect(t, "logout", r, http.StatusNoContent)
		r = call(t, h, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": next.RefreshToken})
		expect(t, "refresh after logout", r, http.StatusUnauthorized)

		r = call(t, h, "DELETE", "/api/v1/auth/me", reg.AccessToken, nil)
		expect(t, "delete me", r, http.StatusNoContent)
		r = call(t, h, "POST", "/api/v1/auth/login", "", map[string]string{"email": "ada@example.com", "password": password})
		expect(t, "login after delete", r, http.StatusUnauthorized)

		evs := waitForEvents(t, h, 3)
		assertEvent(t, evs, event.TypeUserCreated, map[string]any{
			"userId": reg.User.ID, "email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace", "role": "business_owner"})
		assertEvent(t, evs, event.TypeUserUpdated, map[string]any{
			"userId": reg.User.ID, "changes": map[string]any{"firstName": "Jane", "lastName": "Smith"}})
		assertEvent(t, evs, event.TypeUserDeleted, map[string]any{"userId": reg.User.ID})
	})
}

// waitForEvents waits until the event log holds at least n events and
// returns them.
func waitForEvents(t *testing.T, h *apptest.Harness, n int) []event.Envelope {
	t.Helper()
	apptest.WaitFor(t, "events in the stream", func() bool {
		return eventbustest.StreamMsgCount(t, h.JS, eventbus.EventStream) >= uint64(n)
	})
	return eventbustest.StreamEvents(t, h.JS)
}

// assertEvent checks that exactly one event of type is in evs, valid
// against the catalog, with exactly the data want, from auth-service.
func assertEvent(t *testing.T, evs []event.Envelope, typ string, want map[string]any) {
	t.Helper()
	var found []event.Envelope
	for _, ev := range evs {
		if ev.Type == typ {
			found = append(found, ev)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s events in the stream, want exactly 1", len(found), typ)
	}
	ev := found[0]
	if err := catalog.Default().Validate(ev); err != nil {
		t.Errorf("%s does not validate against the catalog: %v", typ, err)
	}
	var data map[string]any
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(want)
	gotJSON, _ := json.Marshal(data)
	if string(wantJSON) != string(gotJSON) {
		t.Errorf("%s data = %s, want %s", typ, gotJSON, wantJSON)
	}
	if ev.Source != "auth-service" || ev.Version != "1.0" || ev.CorrelationID == "" {
		t.Errorf("%s envelope = source %q version %q correlation %q", typ, ev.Source, ev.Version, ev.CorrelationID)
	}
}
