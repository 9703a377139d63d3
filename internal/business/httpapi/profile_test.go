package httpapi_test

import (
	"reflect"
	"testing"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestProfileSetReadPublishedAndCleared: a business created with a
// description, an address and embed origins returns them normalised from
// POST, GET and the public page; business.created (1.1) carries them;
// a PATCH records business.updated with only what changed; clearing
// writes empty values and [] everywhere.
func TestProfileSetReadPublishedAndCleared(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := apptest.StartEngine(t, engine)
		owner, _ := registerOwner(t, h, "profile@example.com")
		anon := client{t: t, base: h.BaseURL}
		created := must[obj](owner, 201, "POST", "/api/v1/businesses", obj{
			"name": "Rosa", "subdomain": "rosa", "timeZone": "Europe/Berlin",
			"description": "  Cuts & <colour>\r\nsince 1999  ", "address": " Hauptstraße 1 \n\n 10115 Berlin ",
			"embedOrigins": []string{"https://www.Example.com/", "http://localhost:3000"},
		})
		id := created["id"].(string)
		want := profile{"Cuts & <colour>\nsince 1999", "Hauptstraße 1\n10115 Berlin", []any{"https://www.example.com", "http://localhost:3000"}}
		for name, got := range map[string]obj{
			"POST":   created,
			"GET":    must[obj](owner, 200, "GET", "/api/v1/businesses/"+id, nil),
			"public": must[obj](anon, 200, "GET", "/api/v1/public/businesses/rosa", nil)["business"].(map[string]any),
		} {
			if p := profileOf(got); !reflect.DeepEqual(p, want) {
				t.Errorf("%s profile = %#v, want %#v", name, p, want)
			}
		}

		must[obj](owner, 200, "PATCH", "/api/v1/businesses/"+id, obj{"address": "Marktplatz 2\n10117 Berlin", "description": want.Description})
		cleared := must[obj](owner, 200, "PATCH", "/api/v1/businesses/"+id, obj{"description": "", "address": "", "embedOrigins": []string{}})
		if p := profileOf(cleared); !reflect.DeepEqual(p, profile{"", "", []any{}}) {
			t.Errorf("cleared profile = %#v", p)
		}
		if p := profileOf(must[obj](anon, 200, "GET", "/api/v1/public/businesses/rosa", nil)["business"].(map[string]any)); !reflect.DeepEqual(p, profile{"", "", []any{}}) {
			t.Errorf("cleared public profile = %#v", p)
		}

		var evs []event.Envelope
		apptest.WaitFor(t, "two business.updated in the event log", func() bool {
			evs = eventbustest.StreamEvents(t, h.JS)
			return count(evs, event.TypeBusinessUpdated) == 2
		})
		checkProfileEvents(t, evs, want)
	})
}

// checkProfileEvents checks business.created carries the profile and each
// business.updated only the fields that changed.
func checkProfileEvents(t *testing.T, evs []event.Envelope, want profile) {
	t.Helper()
	for _, ev := range evs {
		if ev.Type != event.TypeBusinessCreated && ev.Type != event.TypeBusinessUpdated {
			continue
		}
		if v, _ := catalog.Default().Version(ev.Type); ev.Version != v || v == "1.0" {
			t.Errorf("%s version %s, want the newest (%s), past 1.0", ev.Type, ev.Version, v)
		}
		if err := catalog.Default().Validate(ev); err != nil {
			t.Errorf("%s: %v", ev.Type, err)
		}
	}
	c := filter(t, evs, event.TypeBusinessCreated)
	if len(c) != 1 || c[0]["description"] != want.Description || c[0]["address"] != want.Address ||
		!reflect.DeepEqual(c[0]["embedOrigins"], want.EmbedOrigins) {
		t.Errorf("business.created = %v, want the profile %#v", c, want)
	}
	u := filter(t, evs, event.TypeBusinessUpdated)
	wantChanges := []map[string]any{
		{"address": "Marktplatz 2\n10117 Berlin"},
		{"description": "", "address": "", "embedOrigins": []any{}},
	}
	for i, w := range wantChanges {
		if i >= len(u) || !reflect.DeepEqual(u[i]["changes"], w) {
			t.Errorf("business.updated #%d = %v, want changes %v", i+1, u, w)
		}
	}
}

// profile holds the profile fields of an answer as decoded (nil: absent).
type profile struct{ Description, Address, EmbedOrigins any }

func profileOf(m map[string]any) profile {
	return profile{Description: m["description"], Address: m["address"], EmbedOrigins: m["embedOrigins"]}
}
