package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/slotwise/slotwise/internal/httpapi"
)

// OpenAPIPath is where the OpenAPI 3 document is served.
const OpenAPIPath = "/api/v1/openapi.json"

// openAPIDoc merges the OpenAPI fragments of the given modules into one
// OpenAPI 3.1 document. Fragments hold "paths" and "components"; a path or
// component defined twice is an error.
func openAPIDoc(mods []Module) (map[string]any, error) {
	paths := map[string]any{}
	schemas := map[string]any{}
	for _, m := range mods {
		if len(m.OpenAPI) == 0 {
			continue
		}
		var frag struct {
			Paths      map[string]any `json:"paths"`
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(m.OpenAPI, &frag); err != nil {
			return nil, fmt.Errorf("openapi fragment of %s: %w", m.Name, err)
		}
		for p, v := range frag.Paths {
			if _, dup := paths[p]; dup {
				return nil, fmt.Errorf("openapi: path %s defined twice (%s)", p, m.Name)
			}
			paths[p] = v
		}
		for n, v := range frag.Components.Schemas {
			if _, dup := schemas[n]; dup {
				return nil, fmt.Errorf("openapi: schema %s defined twice (%s)", n, m.Name)
			}
			schemas[n] = v
		}
	}
	paths[OpenAPIPath] = map[string]any{"get": map[string]any{
		"summary": "This OpenAPI document", "security": []any{},
		"responses": map[string]any{"200": map[string]any{"description": "OpenAPI 3.1 document"}},
	}}
	schemas["Error"] = errorSchema
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "SlotWise API",
			"version": "1.0",
			"description": "Appointment booking: auth, businesses, services, staff, opening hours, " +
				"slots, bookings and payments. Errors are JSON: {\"error\": {\"code\", \"reason\", \"message\", \"field\"}}.",
		},
		"paths":    paths,
		"security": []any{map[string]any{"bearerAuth": []any{}}},
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{"bearerAuth": map[string]any{
				"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
			}},
		},
	}, nil
}

var errorSchema = map[string]any{
	"type":     "object",
	"required": []any{"error"},
	"properties": map[string]any{"error": map[string]any{
		"type":     "object",
		"required": []any{"code", "message"},
		"properties": map[string]any{
			"code":    map[string]any{"type": "string"},
			"reason":  map[string]any{"type": "string"},
			"message": map[string]any{"type": "string"},
			"field":   map[string]any{"type": "string"},
		},
	}},
}

// DocumentedRoutes returns "METHOD path" for every operation in doc.
func DocumentedRoutes(doc map[string]any) []string {
	var out []string
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		ops, _ := item.(map[string]any)
		for method := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
				out = append(out, strings.ToUpper(method)+" "+p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// ServedRoutes returns "METHOD path" for every API route the App serves.
func (a *App) ServedRoutes() []string {
	out := []string{"GET " + OpenAPIPath}
	for _, r := range a.routesServed {
		out = append(out, r.String())
	}
	sort.Strings(out)
	return out
}

func (a *App) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	var mods []Module
	for _, s := range a.services {
		mods = append(mods, s.mod)
	}
	doc, err := openAPIDoc(mods)
	if err != nil {
		httpapi.WriteError(w, r, a.log, err)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}
