package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// appServices are the modules the HTTP benchmarks run: bookings of a free
// service need neither payment nor notification.
var appServices = []string{"auth", "business", "scheduling"}

// seedWait bounds the wait for the scheduling projections to offer slots.
const seedWait = 30 * time.Second

// benchApp is a started App on a temporary data dir (and, on PostgreSQL,
// fresh schemas) with a seeded business.
type benchApp struct {
	app     *app.App
	base    string
	client  *http.Client
	dataDir string
	schemas []*freshDB

	businessID string
	serviceID  string
	subdomain  string
	staffIDs   []string
}

// appOptions say what startApp starts and seeds.
type appOptions struct {
	engine      sqldb.Engine
	databaseURL string
	// staff are the staff members added to the implicit one.
	staff int
	// paid makes the booked service require payment (bookings stay pending).
	paid bool
	// conns is the HTTP client's idle connection pool.
	conns int
	// natsSync is the App's JetStream fsync policy ("" for the default,
	// always).
	natsSync string
	// services are the services to run (default appServices).
	services []string
	// workHours opens the staff Mon–Sat 09:00–18:00, as the slots
	// benchmark's business is, instead of around the clock.
	workHours bool
	log       *slog.Logger
}

// startApp starts an App running appServices on 127.0.0.1:0 and seeds a
// business through its HTTP API: an owner, a business in Europe/Berlin on a
// 15-minute step, one 15-minute service, opt.staff more staff members
// performing it, everyone open 00:00–24:00 every day.
func startApp(ctx context.Context, opt appOptions) (a *benchApp, err error) {
	dir, err := os.MkdirTemp("", "slotwise-bench-app-")
	if err != nil {
		return nil, fmt.Errorf("app data dir: %w", err)
	}
	a = &benchApp{dataDir: dir, subdomain: "bench-studio"}
	defer func() {
		if err != nil {
			err = errors.Join(err, a.close())
		}
	}()
	cfg, err := a.config(ctx, opt)
	if err != nil {
		return a, err
	}
	if a.app, err = app.New(cfg, slog.New(warnOnly{opt.log.Handler()})); err != nil {
		return a, err
	}
	if err := a.app.Start(ctx); err != nil {
		a.app = nil
		return a, err
	}
	a.base = "http://" + a.app.HTTPAddr()
	a.client = &http.Client{Transport: &http.Transport{MaxIdleConns: opt.conns, MaxIdleConnsPerHost: opt.conns}, Timeout: time.Minute}
	if err := a.seed(ctx, opt); err != nil {
		return a, fmt.Errorf("seed: %w", err)
	}
	return a, nil
}

// config is the App's configuration: a plain `slotwise run`'s defaults
// (JetStream fsync always, relay batch 100) on the temporary data dir.
func (a *benchApp) config(ctx context.Context, opt appOptions) (app.Config, error) {
	cfg := app.Defaults()
	cfg.DataDir = a.dataDir
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.NATSListen = app.NATSListenNone
	cfg.Services = appServices
	if opt.services != nil {
		cfg.Services = opt.services
	}
	cfg.AccessTokenTTL = time.Hour
	if opt.natsSync != "" {
		cfg.NATSSync = opt.natsSync
	}
	if opt.engine != sqldb.Postgres {
		return cfg, nil
	}
	cfg.DatabaseURLs = map[string]string{}
	for _, s := range cfg.Services {
		f, err := freshPostgres(ctx, opt.databaseURL)
		if err != nil {
			return cfg, err
		}
		a.schemas = append(a.schemas, f)
		cfg.DatabaseURLs[s] = f.db.URL
	}
	return cfg, nil
}

// close shuts the App down and removes its data.
func (a *benchApp) close() error {
	var errs []error
	if a.client != nil {
		a.client.CloseIdleConnections()
	}
	if a.app != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.app.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown app: %w", err))
		}
	}
	for _, f := range a.schemas {
		if err := f.close(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := os.RemoveAll(a.dataDir); err != nil {
		errs = append(errs, fmt.Errorf("remove app data dir: %w", err))
	}
	return errors.Join(errs...)
}

type obj = map[string]any

// errStatus is wrapped by call's error for an unexpected status.
var errStatus = errors.New("status")

// seed creates the business through the HTTP API and waits until the
// scheduling service offers slots of every staff member.
func (a *benchApp) seed(ctx context.Context, opt appOptions) error {
	var session struct{ AccessToken string }
	err := a.call(ctx, "POST", "/api/v1/auth/register", "", obj{
		"email": "owner@bench.example", "password": "correct horse battery staple", "firstName": "Bench", "lastName": "Owner", "role": "business_owner",
	}, http.StatusCreated, &session)
	if err != nil {
		return err
	}
	tok := session.AccessToken
	var created struct{ ID string }
	err = a.call(ctx, "POST", "/api/v1/businesses", tok, obj{"name": "Bench Studio", "subdomain": a.subdomain, "timeZone": slotZone,
		"bookingRules": obj{"slotIntervalMinutes": 15}}, http.StatusCreated, &created)
	if err != nil {
		return err
	}
	a.businessID = created.ID
	base := "/api/v1/businesses/" + a.businessID
	svc := obj{"name": "Quick consult", "duration": 15, "price": 0, "currency": "EUR"}
	if opt.paid {
		svc["price"], svc["requiresPayment"] = 20, true
	}
	if err := a.call(ctx, "POST", base+"/services", tok, svc, http.StatusCreated, &created); err != nil {
		return err
	}
	a.serviceID = created.ID
	for i := range opt.staff {
		body := obj{"name": fmt.Sprintf("Staff %d", i), "serviceIds": []string{a.serviceID}}
		if err := a.call(ctx, "POST", base+"/staff", tok, body, http.StatusCreated, &created); err != nil {
			return err
		}
	}
	if err := a.openHours(ctx, base, tok, opt.workHours); err != nil {
		return err
	}
	return a.waitOffered(ctx)
}

// openHours opens every staff member 00:00–24:00 on every weekday, or
// with workHours Monday to Saturday 09:00–18:00.
func (a *benchApp) openHours(ctx context.Context, base, tok string, workHours bool) error {
	var list struct{ Staff []struct{ ID string } }
	if err := a.call(ctx, "GET", base+"/staff", tok, nil, http.StatusOK, &list); err != nil {
		return err
	}
	var weekly []obj
	for d := range 7 {
		switch {
		case !workHours:
			weekly = append(weekly, obj{"weekday": d, "start": "00:00", "end": "24:00"})
		case d != 0: // weekday 0 is Sunday
			weekly = append(weekly, obj{"weekday": d, "start": "09:00", "end": "18:00"})
		}
	}
	for _, s := range list.Staff {
		a.staffIDs = append(a.staffIDs, s.ID)
		err := a.call(ctx, "PUT", base+"/staff/"+s.ID+"/availability", tok, obj{"weekly": weekly, "overrides": []obj{}}, http.StatusOK, nil)
		if err != nil {
			return err
		}
	}
	return nil
}

// benchSlot is an offered slot.
type benchSlot struct {
	Start   string `json:"start"`
	StaffID string `json:"staffId"`
}

// slots returns the slots the public endpoint offers from the day after
// today, for days days.
func (a *benchApp) slots(ctx context.Context, days int) ([]benchSlot, error) {
	zone, err := time.LoadLocation(slotZone)
	if err != nil {
		return nil, fmt.Errorf("zone: %w", err)
	}
	from := time.Now().In(zone).AddDate(0, 0, 1)
	to := from.AddDate(0, 0, days-1)
	path := fmt.Sprintf("/api/v1/public/businesses/%s/slots?serviceId=%s&from=%s&to=%s",
		a.subdomain, a.serviceID, from.Format(time.DateOnly), to.Format(time.DateOnly))
	var out struct{ Slots []benchSlot }
	if err := a.call(ctx, "GET", path, "", nil, http.StatusOK, &out); err != nil {
		return nil, err
	}
	return out.Slots, nil
}

// waitOffered polls the slot search until every staff member has slots
// (the projections are fed by events, asynchronously: until then the
// search answers 404).
func (a *benchApp) waitOffered(ctx context.Context) error {
	deadline := time.Now().Add(seedWait)
	for {
		got, err := a.slots(ctx, 1)
		if err != nil && !errors.Is(err, errStatus) {
			return err
		}
		staff := map[string]bool{}
		for _, s := range got {
			staff[s.StaffID] = true
		}
		if len(staff) == len(a.staffIDs) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %s, slots of %d of %d staff members are offered", seedWait, len(staff), len(a.staffIDs))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// call sends body as JSON with the token and decodes the answer into out,
// failing unless the status is want.
func (a *benchApp) call(ctx context.Context, method, path, token string, body any, want int, out any) error {
	status, raw, err := a.send(ctx, method, path, token, body)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%s %s: %w %d %s, want %d", method, path, errStatus, status, raw, want)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, path, err)
	}
	return nil
}

// send sends one request and returns the status and the body.
func (a *benchApp) send(ctx context.Context, method, path, token string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, fmt.Errorf("marshal: %w", err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, r)
	if err != nil {
		return 0, nil, fmt.Errorf("request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	return resp.StatusCode, raw, nil
}

// book sends a guest's booking of slot and returns the status and the
// error reason, if any.
func (a *benchApp) book(ctx context.Context, s benchSlot, guest int) (int, string, error) {
	body := obj{"businessId": a.businessID, "serviceId": a.serviceID, "staffId": s.StaffID, "startTime": s.Start,
		"client": obj{"name": "Guest", "email": fmt.Sprintf("guest%d@bench.example", guest)}}
	status, raw, err := a.send(ctx, "POST", "/api/v1/bookings", "", body)
	if err != nil || status < 400 {
		return status, "", err
	}
	var e struct{ Error struct{ Reason string } }
	_ = json.Unmarshal(raw, &e) // the reason is informative only
	return status, e.Error.Reason, nil
}

// warnOnly passes on the App's warnings and errors only.
type warnOnly struct{ slog.Handler }

// Enabled reports whether level is at least a warning.
func (w warnOnly) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelWarn && w.Handler.Enabled(ctx, level)
}

// WithAttrs keeps the filter.
func (w warnOnly) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnOnly{w.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the filter.
func (w warnOnly) WithGroup(name string) slog.Handler { return warnOnly{w.Handler.WithGroup(name)} }
