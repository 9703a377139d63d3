package demo_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/demo"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/sqldb"
)

type page struct {
	Business struct {
		Name        string `json:"name"`
		TimeZone    string `json:"timeZone"`
		Description string `json:"description"`
		Address     string `json:"address"`
	} `json:"business"`
	Services []struct {
		Name     string      `json:"name"`
		Duration int         `json:"duration"`
		Price    json.Number `json:"price"`
		Currency string      `json:"currency"`
		Paid     bool        `json:"requiresPayment"`
	} `json:"services"`
	Staff []struct {
		Name string `json:"name"`
	} `json:"staff"`
}

// TestSeedThenPublicPageAndIdempotent: seeding a started App makes the
// demo's public page readable without login; the printed login works; a
// second seeding (a restart) changes nothing and prints the same login.
func TestSeedThenPublicPageAndIdempotent(t *testing.T) {
	h := apptest.StartEngine(t, sqldb.SQLite)
	s := demo.Seeder{BaseURL: h.BaseURL, DataDir: h.Config.DataDir}
	creds, err := s.Seed(context.Background())
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	p := readPage(t, h.BaseURL)
	if p.Business.Name != demo.Name || p.Business.TimeZone != "Europe/Berlin" || len(p.Services) != 2 || len(p.Staff) != 1 || p.Staff[0].Name != demo.StaffName {
		t.Fatalf("public page = %+v", p)
	}
	if p.Business.Description != demo.Description || p.Business.Address != demo.Address {
		t.Errorf("public page's profile = %q, %q; want %q, %q", p.Business.Description, p.Business.Address, demo.Description, demo.Address)
	}
	free, paid := p.Services[0], p.Services[1]
	if free.Duration != 30 || free.Price.String() != "0.00" || free.Paid || paid.Duration != 60 || !paid.Paid || paid.Currency != "EUR" {
		t.Errorf("services = %+v", p.Services)
	}
	if len(creds.Password) < 16 {
		t.Errorf("password %q is too weak", creds.Password)
	}
	var out bytes.Buffer
	demo.Print(&out, h.BaseURL, creds)
	if !strings.Contains(out.String(), creds.Email) || !strings.Contains(out.String(), creds.Password) {
		t.Errorf("printed %q lacks the login", out.String())
	}
	kept, err := os.ReadFile(filepath.Join(h.Config.DataDir, demo.CredentialsFile))
	if err != nil || !strings.Contains(string(kept), creds.Password) {
		t.Fatalf("credentials file = %q, %v", kept, err)
	}
	login, _ := json.Marshal(map[string]string{"email": creds.Email, "password": creds.Password})
	resp, err := http.Post(h.BaseURL+"/api/v1/auth/login", "application/json", bytes.NewReader(login))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("login with the printed credentials: %v %v", resp.Status, err)
	}
	resp.Body.Close()

	apptest.WaitFor(t, "the demo's hours in the event log", func() bool {
		return countType(eventbustest.StreamEvents(t, h.JS), event.TypeAvailabilityUpdated) == 1
	})
	db := h.OpenDB(t, "business")
	before := outboxRows(t, db.DB)
	again, err := s.Seed(context.Background())
	if err != nil || again != creds {
		t.Fatalf("second seed = %+v, %v; want the same credentials", again, err)
	}
	if p2 := readPage(t, h.BaseURL); len(p2.Services) != 2 || len(p2.Staff) != 1 {
		t.Fatalf("after a second seed: %+v", p2)
	}
	if after := outboxRows(t, db.DB); after != before {
		t.Errorf("the second seed recorded %d events, want none", after-before)
	}
}

func readPage(t *testing.T, base string) page {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/public/businesses/" + demo.Subdomain)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("public page: %s", resp.Status)
	}
	var p page
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

func countType(evs []event.Envelope, typ string) int {
	n := 0
	for _, ev := range evs {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

func outboxRows(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM outbox_events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSeedFillsProfileOfOlderDemoBusiness: a demo business seeded before
// businesses had a profile gets the description and address on the next
// start; one whose owner set a profile keeps it.
func TestSeedFillsProfileOfOlderDemoBusiness(t *testing.T) {
	h := apptest.StartEngine(t, sqldb.SQLite)
	creds := demo.Credentials{Email: demo.OwnerEmail, Password: "an older demo password"}
	if err := os.WriteFile(filepath.Join(h.Config.DataDir, demo.CredentialsFile), []byte(creds.Email+"\n"+creds.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	token := post(t, h.BaseURL+"/api/v1/auth/register", "", map[string]string{
		"email": creds.Email, "password": creds.Password, "firstName": "Demo", "lastName": "Owner", "role": "business_owner",
	}, 201)["accessToken"].(string)
	biz := post(t, h.BaseURL+"/api/v1/businesses", token, map[string]string{"name": demo.Name, "subdomain": demo.Subdomain, "timeZone": demo.TimeZone}, 201)
	if p := readPage(t, h.BaseURL); p.Business.Description != "" || p.Business.Address != "" {
		t.Fatalf("older business already has a profile: %+v", p.Business)
	}
	s := demo.Seeder{BaseURL: h.BaseURL, DataDir: h.Config.DataDir}
	if _, err := s.Seed(context.Background()); err != nil {
		t.Fatalf("seed: %v", err)
	}
	if p := readPage(t, h.BaseURL); p.Business.Description != demo.Description || p.Business.Address != demo.Address {
		t.Fatalf("after seeding: %+v, want the demo's profile", p.Business)
	}

	req, _ := http.NewRequest("PATCH", h.BaseURL+"/api/v1/businesses/"+biz["id"].(string), strings.NewReader(`{"description": "", "address": "Elsewhere 2"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("owner's PATCH: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := s.Seed(context.Background()); err != nil {
		t.Fatalf("seed again: %v", err)
	}
	if p := readPage(t, h.BaseURL); p.Business.Description != "" || p.Business.Address != "Elsewhere 2" {
		t.Fatalf("seeding overwrote the owner's profile: %+v", p.Business)
	}
}

// post sends in as JSON with token ("" for none), wants the status, and
// returns the decoded answer.
func post(t *testing.T, url, token string, in any, want int) map[string]any {
	t.Helper()
	raw, _ := json.Marshal(in)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != want {
		t.Fatalf("POST %s = %d %v, %v; want %d", url, resp.StatusCode, out, err, want)
	}
	return out
}
