// Package demo seeds a demo business through SlotWise's public HTTP API, so
// a new user of `slotwise run --demo` can look around at once: a demo owner
// (random password, kept in <data-dir>/demo-owner.txt), "Demo Studio" at
// subdomain "demo" with a short description and an address, a free
// 30-minute and a paid 60-minute service (EUR), and one staff member open
// Monday to Friday 09:00–17:00 (Europe/Berlin).
//
// It is a plain HTTP client of the API — it never touches a database — and
// it is idempotent: every step first looks for what it would create.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The demo's fixed names.
const (
	OwnerEmail  = "demo-owner@example.com"
	Subdomain   = "demo"
	Name        = "Demo Studio"
	TimeZone    = "Europe/Berlin"
	Description = "A demo studio to try SlotWise: book a free intro call or a paid consultation."
	Address     = "Demo Street 1\n10115 Berlin\nGermany"
	StaffName   = "Alex Demo"
	FreeService = "Intro call"
	PaidService = "Consultation"
	// CredentialsFile is the file in the data dir holding the demo owner's
	// e-mail and password, one per line.
	CredentialsFile = "demo-owner.txt"
)

// Credentials are the demo owner's login.
type Credentials struct {
	Email    string
	Password string
}

// Seeder seeds the demo through the API at BaseURL ("http://host:port").
type Seeder struct {
	BaseURL string
	DataDir string
	Client  *http.Client // default: 30 s timeout
}

// Seed creates whatever part of the demo is missing and returns the owner's
// credentials.
func (s Seeder) Seed(ctx context.Context) (Credentials, error) {
	if s.Client == nil {
		s.Client = &http.Client{Timeout: 30 * time.Second}
	}
	creds, err := s.credentials()
	if err != nil {
		return Credentials{}, err
	}
	token, err := s.ownerToken(ctx, creds)
	if err != nil {
		return Credentials{}, err
	}
	api := client{http: s.Client, base: s.BaseURL, token: token}
	bizID, err := ensureBusiness(ctx, api)
	if err != nil {
		return Credentials{}, err
	}
	if err := ensureCatalog(ctx, api, bizID); err != nil {
		return Credentials{}, err
	}
	return creds, nil
}

// Print writes where to look and how to log in.
func Print(w io.Writer, baseURL string, c Credentials) {
	fmt.Fprintf(w, "Demo business %q, booking page: %s/b/%s\n", Name, baseURL, Subdomain)
	fmt.Fprintf(w, "Demo owner login: email %s  password %s\n", c.Email, c.Password)
}

// credentials reads the kept credentials, or makes and keeps new ones (kept
// before registering, so a crash in between cannot lose the password).
func (s Seeder) credentials() (Credentials, error) {
	path := filepath.Join(s.DataDir, CredentialsFile)
	raw, err := os.ReadFile(path)
	if err == nil {
		email, password, ok := strings.Cut(strings.TrimSpace(string(raw)), "\n")
		if !ok || email == "" || password == "" {
			return Credentials{}, fmt.Errorf("demo: %s is not \"email\\npassword\"", path)
		}
		return Credentials{Email: strings.TrimSpace(email), Password: strings.TrimSpace(password)}, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return Credentials{}, fmt.Errorf("demo: %w", err)
	}
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Credentials{}, fmt.Errorf("demo: password: %w", err)
	}
	c := Credentials{Email: OwnerEmail, Password: base64.RawURLEncoding.EncodeToString(b[:])}
	if err := os.WriteFile(path, []byte(c.Email+"\n"+c.Password+"\n"), 0o600); err != nil {
		return Credentials{}, fmt.Errorf("demo: keep credentials: %w", err)
	}
	return c, nil
}

// ownerToken logs the demo owner in, registering them first when needed.
func (s Seeder) ownerToken(ctx context.Context, c Credentials) (string, error) {
	anon := client{http: s.Client, base: s.BaseURL}
	var session struct {
		AccessToken string `json:"accessToken"`
	}
	login := map[string]string{"email": c.Email, "password": c.Password}
	status, err := anon.call(ctx, "POST", "/api/v1/auth/login", login, &session)
	if err == nil && status == http.StatusOK {
		return session.AccessToken, nil
	}
	reg := map[string]string{"email": c.Email, "password": c.Password, "firstName": "Demo", "lastName": "Owner", "role": "business_owner"}
	status, err = anon.call(ctx, "POST", "/api/v1/auth/register", reg, &session)
	switch {
	case err != nil:
		return "", fmt.Errorf("demo: register owner: %w", err)
	case status == http.StatusConflict:
		return "", fmt.Errorf("demo: %s exists but the password in %s does not match", c.Email, CredentialsFile)
	case status != http.StatusCreated:
		return "", fmt.Errorf("demo: register owner: HTTP %d", status)
	}
	return session.AccessToken, nil
}
