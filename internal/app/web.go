package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"

	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/demo"
	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/web"
)

// Built holds the service objects the module constructors made in this
// process, for the one adapter that spans services: the web pages, which
// call the business, scheduling and payment use cases in-process. Each
// constructor records its own service; a service not run here stays nil.
type Built struct {
	// Auth, when the auth service runs here, lets people sign in on the
	// pages (/signin, /bookings).
	Auth       *auth.Service
	Business   *business.Service
	Scheduling *scheduling.Service
	Payment    *payment.Service
}

// buildWeb builds the web pages when every service they need runs in this
// process (always under `run`; under `serve`, where the business,
// scheduling and payment services are listed together); routes mounts
// them.
func (a *App) buildWeb(context.Context) error {
	b := a.built
	if b.Business == nil || b.Scheduling == nil || b.Payment == nil {
		return nil
	}
	cfg := web.Config{
		CSRFKey: a.derivedKey("web-csrf"), SessionKey: a.derivedKey("web-session"),
		LinkKey: a.linkKey, PublicURL: a.PublicURL(),
	}
	if a.cfg.Demo {
		cfg.DemoSubdomain = demo.Subdomain
	}
	deps := web.Deps{
		Businesses: b.Business, Scheduler: b.Scheduling, Payments: b.Payment,
		Logger: a.log.With("component", "web"), Now: a.now,
	}
	if b.Auth != nil {
		deps.Accounts, deps.Tokens, deps.ClientBookings = b.Auth, a.tokens, b.Scheduling
	}
	site, err := web.New(deps, cfg)
	if err != nil {
		return fmt.Errorf("web pages: %w", err)
	}
	a.site = site
	return nil
}

// derivedKey is a key for one purpose, derived from the link key every
// instance shares (HMAC-SHA256 with the purpose as the message), so that
// no purpose's key reveals another's.
func (a *App) derivedKey(purpose string) []byte {
	m := hmac.New(sha256.New, a.linkKey)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
