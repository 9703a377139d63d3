package app

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestOpenAPIListsExactlyTheServedRoutes: the document served at
// /api/v1/openapi.json and the router agree route for route, so a route
// added without documentation (or documented but not served) fails here.
func TestOpenAPIListsExactlyTheServedRoutes(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.Services = ModuleNames()
	a := startApp(t, cfg)
	code, body := get(t, a, OpenAPIPath)
	if code != 200 {
		t.Fatalf("GET %s = %d %s", OpenAPIPath, code, body)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	documented, served := DocumentedRoutes(doc), a.ServedRoutes()
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("served but not documented: %s", r)
		}
	}
	for _, r := range documented {
		if !slices.Contains(served, r) {
			t.Errorf("documented but not served: %s", r)
		}
	}
}
