package httpapi_test

import (
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestFlowPublishesEachEventOnce: register → create business → service →
// staff → hours over real HTTP; every step's event is in the event log
// exactly once, with the seed's shape, valid against the catalog.
func TestFlowPublishesEachEventOnce(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := apptest.StartEngine(t, engine)
		owner, ownerID := registerOwner(t, h, "ada@example.com")

		biz := must[obj](owner, 201, "POST", "/api/v1/businesses", obj{"name": "Ada's Studio", "subdomain": "ada-studio", "timeZone": "Europe/Berlin"})
		bizID := biz["id"].(string)
		base := "/api/v1/businesses/" + bizID
		implicitNamed := func() bool {
			list := must[obj](owner, 200, "GET", base+"/staff", nil)["staff"].([]any)
			m := list[0].(map[string]any)
			return len(list) == 1 && m["implicit"] == true && m["name"] == "Ada Lovelace"
		}
		apptest.WaitFor(t, "the implicit staff member to carry the owner's name", implicitNamed)

		svc := must[obj](owner, 201, "POST", base+"/services", obj{"name": "Consultation", "duration": 60, "price": 49.90, "currency": "EUR"})
		if svc["price"] != 49.9 || svc["requiresPayment"] != true {
			t.Errorf("service = %v, want price 49.9 and requiresPayment by default", svc)
		}
		svcID := svc["id"].(string)
		st := must[obj](owner, 201, "POST", base+"/staff", obj{"name": "Grace Hopper", "email": "grace@example.com", "serviceIds": []string{svcID}})
		staffID := st["id"].(string)
		hours := obj{
			"weekly":    []obj{{"weekday": 1, "start": "09:00", "end": "12:00"}, {"weekday": 1, "start": "13:00", "end": "17:00"}},
			"overrides": []obj{{"date": "2026-12-24", "closed": true}},
		}
		must[obj](owner, 200, "PUT", base+"/staff/"+staffID+"/availability", hours)
		got := must[obj](owner, 200, "GET", base+"/staff/"+staffID+"/availability", nil)
		if got["timeZone"] != "Europe/Berlin" || len(got["weekly"].([]any)) != 2 || len(got["overrides"].([]any)) != 1 {
			t.Errorf("availability = %v", got)
		}

		want := map[string]func(data map[string]any) bool{
			event.TypeUserCreated: func(d map[string]any) bool { return d["userId"] == ownerID },
			event.TypeBusinessCreated: func(d map[string]any) bool {
				return d["businessId"] == bizID && d["name"] == "Ada's Studio" && d["subdomain"] == "ada-studio" &&
					d["ownerId"] == ownerID && d["timeZone"] == "Europe/Berlin"
			},
			event.TypeServiceCreated: func(d map[string]any) bool {
				return d["serviceId"] == svcID && d["businessId"] == bizID && d["name"] == "Consultation" &&
					d["duration"] == 60.0 && d["price"] == 49.9 && d["currency"] == "EUR"
			},
			event.TypeStaffDeleted: func(d map[string]any) bool { return d["implicit"] == true },
			event.TypeAvailabilityUpdated: func(d map[string]any) bool {
				return d["staffId"] == staffID && d["timeZone"] == "Europe/Berlin" && len(d["weekly"].([]any)) == 2
			},
		}
		var evs []event.Envelope
		apptest.WaitFor(t, "every event in the stream", func() bool {
			evs = eventbustest.StreamEvents(t, h.JS)
			return count(evs, event.TypeAvailabilityUpdated) == 1
		})
		for _, ev := range evs {
			if err := catalog.Default().Validate(ev); err != nil {
				t.Errorf("%s does not validate: %v", ev.Type, err)
			}
			if strings.HasPrefix(ev.Type, "business.") || strings.HasPrefix(ev.Type, "staff.") || strings.HasPrefix(ev.Type, "service.") {
				if ev.Source != "business-service" {
					t.Errorf("%s source = %q", ev.Type, ev.Source)
				}
			}
		}
		for typ, ok := range want {
			matches := filter(t, evs, typ)
			if len(matches) != 1 || !ok(matches[0]) {
				t.Errorf("%s: %d events %v, want exactly one matching", typ, len(matches), matches)
			}
		}
		created := filter(t, evs, event.TypeStaffCreated)
		if len(created) != 2 || created[0]["implicit"] != true || created[1]["staffId"] != staffID ||
			created[1]["name"] != "Grace Hopper" || created[1]["serviceIds"].([]any)[0] != svcID {
			t.Errorf("staff.created = %v, want the implicit member then Grace", created)
		}
		for _, d := range created {
			if _, has := d["email"]; has {
				t.Errorf("staff.created carries an e-mail: %v", d)
			}
		}
		checkPublic(t, h, svcID, staffID)
	})
}

// checkPublic reads the public page without a token: public fields only.
func checkPublic(t *testing.T, h *apptest.Harness, svcID, staffID string) {
	t.Helper()
	anon := client{t: t, base: h.BaseURL}
	status, raw := anon.do("GET", "/api/v1/public/businesses/ada-studio", nil)
	if status != 200 {
		t.Fatalf("public page = %d %s", status, raw)
	}
	for _, secret := range []string{"grace@example.com", "ada@example.com", "ownerId", "email"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("public page leaks %q: %s", secret, raw)
		}
	}
	page := must[obj](anon, 200, "GET", "/api/v1/public/businesses/ada-studio", nil)
	services, staff := page["services"].([]any), page["staff"].([]any)
	if len(services) != 1 || services[0].(map[string]any)["id"] != svcID || len(staff) != 1 || staff[0].(map[string]any)["id"] != staffID {
		t.Errorf("public page = %v", page)
	}
	if status, _ := anon.do("GET", "/api/v1/public/businesses/nobody-here", nil); status != 404 {
		t.Errorf("unknown subdomain = %d, want 404", status)
	}
}

func count(evs []event.Envelope, typ string) int {
	n := 0
	for _, ev := range evs {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

func filter(t *testing.T, evs []event.Envelope, typ string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, ev := range evs {
		if ev.Type != typ {
			continue
		}
		d, err := event.DataAs[map[string]any](ev)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}
