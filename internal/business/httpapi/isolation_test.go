package httpapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// tenant is owner A's business with one of everything, for the isolation
// table to aim at.
type tenant struct{ bizID, svcID, staffID string }

func (tn tenant) path(template string) string {
	return strings.NewReplacer("{id}", tn.bizID, "{serviceId}", tn.svcID, "{staffId}", tn.staffID,
		"{webhookId}", "wh_01NOSUCHWEBHOOK00000000000", "{deliveryId}", "dlv_01NOSUCHDELIVERY0000000000").Replace(template)
}

func seedTenant(t *testing.T, owner client, sub string) tenant {
	t.Helper()
	biz := must[obj](owner, 201, "POST", "/api/v1/businesses", obj{"name": "A", "subdomain": sub, "timeZone": "Europe/Berlin"})
	base := "/api/v1/businesses/" + biz["id"].(string)
	svc := must[obj](owner, 201, "POST", base+"/services", obj{"name": "Cut", "duration": 30, "price": 20, "currency": "EUR"})
	st := must[obj](owner, 201, "POST", base+"/staff", obj{"name": "Ann", "serviceIds": []string{svc["id"].(string)}})
	must[obj](owner, 200, "PUT", base+"/staff/"+st["id"].(string)+"/availability", obj{"weekly": []obj{{"weekday": 2, "start": "09:00", "end": "17:00"}}})
	return tenant{bizID: biz["id"].(string), svcID: svc["id"].(string), staffID: st["id"].(string)}
}

// businessRoutes is every route acting on one business, with a valid body:
// a route added without a row here fails TestTenantIsolation.
var businessRoutes = []struct {
	method, path string
	body         any
}{
	{"GET", "/api/v1/businesses/{id}", nil},
	{"PATCH", "/api/v1/businesses/{id}", obj{"name": "Hijacked"}},
	{"POST", "/api/v1/businesses/{id}/services", obj{"name": "X", "duration": 30, "price": 1, "currency": "EUR"}},
	{"GET", "/api/v1/businesses/{id}/services", nil},
	{"GET", "/api/v1/businesses/{id}/services/{serviceId}", nil},
	{"PATCH", "/api/v1/businesses/{id}/services/{serviceId}", obj{"price": 0, "requiresPayment": false}},
	{"DELETE", "/api/v1/businesses/{id}/services/{serviceId}", nil},
	{"POST", "/api/v1/businesses/{id}/staff", obj{"name": "Mole", "serviceIds": []string{}}},
	{"GET", "/api/v1/businesses/{id}/staff", nil},
	{"PUT", "/api/v1/businesses/{id}/staff/{staffId}/availability", obj{"weekly": []obj{}}},
	{"GET", "/api/v1/businesses/{id}/staff/{staffId}/availability", nil},
	// Served by scheduling and notification, from their own projections of
	// the business's owner.
	{"GET", "/api/v1/businesses/{id}/bookings", nil},
	{"POST", "/api/v1/businesses/{id}/webhooks", obj{"url": "http://127.0.0.1:9/hook", "eventTypes": []string{"booking.created"}}},
	{"GET", "/api/v1/businesses/{id}/webhooks", nil},
	{"DELETE", "/api/v1/businesses/{id}/webhooks/{webhookId}", nil},
	{"GET", "/api/v1/businesses/{id}/webhooks/{webhookId}/deliveries", nil},
	{"POST", "/api/v1/businesses/{id}/webhooks/{webhookId}/deliveries/{deliveryId}/resend", nil},
}

// TestTenantIsolation: on every business route, another owner gets 404 and
// learns nothing, a client 403, no token 401 — and nothing changes. An
// admin may act on any business.
func TestTenantIsolation(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := apptest.StartEngine(t, engine)
		checkTableCoversRoutes(t, h)
		ownerA, _ := registerOwner(t, h, "a@example.com")
		ownerB, _ := registerOwner(t, h, "b@example.com")
		a := seedTenant(t, ownerA, "tenant-a")
		seedTenant(t, ownerB, "tenant-b")
		db := h.OpenDB(t, "business")
		callers := []struct {
			name   string
			c      client
			status int
		}{
			{"other_owner_gets_404", ownerB, 404},
			{"client_gets_403", issued(t, h, "user_client", authn.RoleClient), 403},
			{"anonymous_gets_401", client{t: t, base: h.BaseURL}, 401},
		}
		waitOwners(t, db.DB, 2)
		waitProjected(t, ownerA, a)
		before := snapshot(t, db.DB)
		for _, r := range businessRoutes {
			for _, caller := range callers {
				t.Run(r.method+" "+r.path+"/"+caller.name, func(t *testing.T) {
					caller.c.t = t
					status, raw := caller.c.do(r.method, a.path(r.path), r.body)
					if status != caller.status {
						t.Fatalf("= %d %s, want %d", status, raw, caller.status)
					}
					if caller.status != 404 {
						return
					}
					// Indistinguishable from a business that does not exist.
					missing := tenant{bizID: "biz_01NOSUCHBUSINESS0000000000", svcID: a.svcID, staffID: a.staffID}
					_, rawMissing := caller.c.do(r.method, missing.path(r.path), r.body)
					if strings.ReplaceAll(string(raw), a.bizID, missing.bizID) != string(rawMissing) {
						t.Fatalf("answer %s differs from a missing business's %s", raw, rawMissing)
					}
				})
			}
		}
		if after := snapshot(t, db.DB); after != before {
			t.Fatalf("refused requests changed the database:\nbefore %s\nafter %s", before, after)
		}
		listB := must[obj](ownerB, 200, "GET", "/api/v1/businesses", nil)["businesses"].([]any)
		if len(listB) != 1 || listB[0].(map[string]any)["subdomain"] != "tenant-b" {
			t.Errorf("owner B's list = %v, want only tenant-b", listB)
		}
		checkAdmin(t, h, a)
	})
}

// checkTableCoversRoutes fails for a served business route missing from
// businessRoutes.
func checkTableCoversRoutes(t *testing.T, h *apptest.Harness) {
	t.Helper()
	var inTable []string
	for _, r := range businessRoutes {
		inTable = append(inTable, r.method+" "+r.path)
	}
	n := 0
	for _, r := range h.App.ServedRoutes() {
		if strings.Contains(r, "/api/v1/businesses/{id}") {
			n++
			if !slices.Contains(inTable, r) {
				t.Errorf("route %s has no row in the tenant isolation table", r)
			}
		}
	}
	if n != len(businessRoutes) {
		t.Errorf("%d business routes served, %d in the table", n, len(businessRoutes))
	}
}

func checkAdmin(t *testing.T, h *apptest.Harness, a tenant) {
	t.Helper()
	admin := issued(t, h, "user_admin", authn.RoleAdmin)
	if all := must[obj](admin, 200, "GET", "/api/v1/businesses", nil)["businesses"].([]any); len(all) != 2 {
		t.Errorf("admin lists %d businesses, want 2", len(all))
	}
	got := must[obj](admin, 200, "PATCH", a.path("/api/v1/businesses/{id}"), obj{"name": "Renamed by admin"})
	if got["name"] != "Renamed by admin" {
		t.Errorf("admin patch = %v", got)
	}
	must[obj](admin, 204, "DELETE", a.path("/api/v1/businesses/{id}/services/{serviceId}"), nil)
}

// waitProjected waits until the services that keep their own projection of
// the business (scheduling, notification) know it belongs to its owner, so
// that their 404s for other owners are about ownership, not lag.
func waitProjected(t *testing.T, owner client, a tenant) {
	t.Helper()
	for _, p := range []string{"/api/v1/businesses/{id}/bookings", "/api/v1/businesses/{id}/webhooks"} {
		apptest.WaitFor(t, "the owner to see "+p, func() bool {
			status, _ := owner.do("GET", a.path(p), nil)
			return status == 200
		})
	}
}
