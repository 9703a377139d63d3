package demo

import (
	"context"
	"fmt"
	"net/http"
)

type idName struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Subdomain   string `json:"subdomain"`
	Implicit    bool   `json:"implicit"`
	Description string `json:"description"`
	Address     string `json:"address"`
}

// ensureBusiness returns the demo business's id, creating it if the owner
// has none at the subdomain. A demo business from before businesses had a
// profile gets the description and address.
func ensureBusiness(ctx context.Context, api client) (string, error) {
	var list struct {
		Businesses []idName `json:"businesses"`
	}
	if err := api.expect(ctx, http.StatusOK, "GET", "/api/v1/businesses", nil, &list); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	for _, b := range list.Businesses {
		if b.Subdomain == Subdomain {
			return b.ID, ensureProfile(ctx, api, b)
		}
	}
	var b idName
	in := map[string]string{"name": Name, "subdomain": Subdomain, "timeZone": TimeZone, "description": Description, "address": Address}
	status, err := api.call(ctx, "POST", "/api/v1/businesses", in, &b)
	switch {
	case err != nil:
		return "", fmt.Errorf("demo: create business: %w", err)
	case status == http.StatusConflict:
		return "", fmt.Errorf("demo: subdomain %q belongs to another owner", Subdomain)
	case status != http.StatusCreated:
		return "", fmt.Errorf("demo: create business: HTTP %d", status)
	}
	return b.ID, nil
}

// ensureProfile sets the demo business's description and address when it
// has neither (an owner's own edits are left alone).
func ensureProfile(ctx context.Context, api client, b idName) error {
	if b.Description != "" || b.Address != "" {
		return nil
	}
	in := map[string]string{"description": Description, "address": Address}
	if err := api.expect(ctx, http.StatusOK, "PATCH", "/api/v1/businesses/"+b.ID, in, nil); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// ensureCatalog creates the services, the staff member and their hours
// when missing.
func ensureCatalog(ctx context.Context, api client, bizID string) error {
	base := "/api/v1/businesses/" + bizID
	var services struct {
		Services []idName `json:"services"`
	}
	if err := api.expect(ctx, http.StatusOK, "GET", base+"/services", nil, &services); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	ids := map[string]string{}
	for _, s := range services.Services {
		ids[s.Name] = s.ID
	}
	wanted := []map[string]any{
		{"name": FreeService, "duration": 30, "price": 0, "currency": "EUR", "description": "Get to know us: free, 30 minutes."},
		{"name": PaidService, "duration": 60, "price": 60, "currency": "EUR", "description": "One hour, paid when booking."},
	}
	for _, in := range wanted {
		name := in["name"].(string)
		if ids[name] != "" {
			continue
		}
		var s idName
		if err := api.expect(ctx, http.StatusCreated, "POST", base+"/services", in, &s); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		ids[name] = s.ID
	}
	return ensureStaff(ctx, api, base, []string{ids[FreeService], ids[PaidService]})
}

func ensureStaff(ctx context.Context, api client, base string, serviceIDs []string) error {
	var staff struct {
		Staff []idName `json:"staff"`
	}
	if err := api.expect(ctx, http.StatusOK, "GET", base+"/staff", nil, &staff); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	memberID := ""
	for _, s := range staff.Staff {
		if s.Name == StaffName && !s.Implicit {
			memberID = s.ID
		}
	}
	if memberID == "" {
		var s idName
		in := map[string]any{"name": StaffName, "serviceIds": serviceIDs}
		if err := api.expect(ctx, http.StatusCreated, "POST", base+"/staff", in, &s); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		memberID = s.ID
	}
	return ensureHours(ctx, api, base+"/staff/"+memberID+"/availability")
}

// ensureHours sets Monday to Friday 09:00–17:00 unless hours are set.
func ensureHours(ctx context.Context, api client, path string) error {
	var current struct {
		Weekly []any `json:"weekly"`
	}
	if err := api.expect(ctx, http.StatusOK, "GET", path, nil, &current); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if len(current.Weekly) > 0 {
		return nil
	}
	var weekly []map[string]any
	for day := 1; day <= 5; day++ {
		weekly = append(weekly, map[string]any{"weekday": day, "start": "09:00", "end": "17:00"})
	}
	hours := map[string]any{"weekly": weekly, "overrides": []any{}}
	if err := api.expect(ctx, http.StatusOK, "PUT", path, hours, nil); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}
