package scaleout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/eventbus"
)

// EnvBookings sets how many bookings the end-to-end run makes.
const EnvBookings = "SLOTWISE_SCALEOUT_BOOKINGS"

const (
	// defaultBookings is the run's size in CI (see docs/operations.md,
	// "Tested under faults", for its duration on 2 cores).
	defaultBookings = 2000
	minBookings     = 500
	// workers is how many bookings are in flight at once.
	workers = 16
	// slotsPerDay: the staff member works 08:00-20:00 UTC every day and
	// both services take 30 minutes.
	slotsPerDay = 24
)

// kind is what a booking is meant to end as.
type kind int

const (
	free kind = iota // free service: confirmed at once
	paid             // paid with 4242 4242 4242 4242: confirmed
	// declined: paid with 4000 0000 0000 0002 (402: the booking stays
	// pending, the payment payable), then cancelled by its guest with the
	// booking's manage token, as a client who gives up does.
	declined
)

func (k kind) String() string { return [...]string{"free", "paid", "declined"}[k] }

// finalStatus is the booking's status when the saga is over.
func (k kind) finalStatus() string {
	if k == declined {
		return "cancelled"
	}
	return "confirmed"
}

// booking is one booking request of the run and what became of it.
type booking struct {
	n     int
	kind  kind
	key   string // Idempotency-Key
	name  string
	email string // distinct per booking: e-mails are counted per recipient
	start time.Time

	// Set by the run.
	created     bool // 201 (the slot was won)
	id          string
	clientID    string
	manageToken string // from the 201 (a replayed one carries it too)
}

// scaleRun drives bookings through the deployed system over HTTP.
type scaleRun struct {
	d   *deployment
	api *apiClient

	owner                          string // the owner's access token
	ownerEmail                     string
	businessID, staffID            string
	freeServiceID, paidServiceID   string
	mains                          []*booking
	rivals                         map[int]*booking // contested slots: a second guest wants the same slot
	done                           atomic.Int64
	cancelResent                   atomic.Int64 // cancels answered 409: a lost first answer had cancelled
	bookingsStarted, faultsStarted time.Time
}

// TestScaleOutUnderFaults is the scale-out acceptance run: every service
// as its own `slotwise serve` process (two instances of scheduling and of
// notification) against a 3-node NATS cluster over TLS with per-service
// users and a fresh PostgreSQL database. It books N slots over HTTP
// (free, paid and paid-but-declined, some slots contested by two guests at
// once; a declined guest then cancels with the booking's manage token)
// while it kills -9 the NATS node leading the event log (and
// restarts it) and kills -9 a scheduling instance (and restarts it), then
// checks that nothing was lost or doubled: final states, the event log,
// the consumers' inboxes, overlaps and the e-mails received.
func TestScaleOutUnderFaults(t *testing.T) {
	requireScaleOut(t)
	began := time.Now()
	n := bookingCount(t)
	d := deploy(t)
	t.Logf("deployed in %s: 3 NATS nodes, %d service processes", time.Since(began).Round(time.Millisecond), len(d.allServices()))
	r := &scaleRun{d: d, api: newAPIClient(&router{services: d.services}), rivals: map[int]*booking{}}
	r.setup(t, n)
	setupDone := time.Now()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	faultErrs := make(chan error, 1)
	go func() { faultErrs <- r.injectFaults(ctx, t, n) }()
	if err := r.drive(ctx, t); err != nil {
		t.Fatal(err)
	}
	if err := <-faultErrs; err != nil {
		t.Fatalf("faults: %v", err)
	}
	driven := time.Now()
	t.Logf("%d bookings driven in %s (%d HTTP requests retried, %d bookings answered as replays of their Idempotency-Key, %d resent cancels answered 409)",
		n, driven.Sub(setupDone).Round(time.Millisecond), r.api.retries.Load(), r.api.replayed.Load(), r.cancelResent.Load())

	r.check(t)
	t.Logf("scale-out run: %d bookings; total %s (deploy+setup %s, bookings %s, checks %s)", n,
		time.Since(began).Round(time.Second), setupDone.Sub(began).Round(time.Second),
		driven.Sub(setupDone).Round(time.Second), time.Since(driven).Round(time.Second))
}

// bookingCount reads EnvBookings (default defaultBookings).
func bookingCount(t *testing.T) int {
	t.Helper()
	v := os.Getenv(EnvBookings)
	if v == "" {
		return defaultBookings
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < minBookings || n > 300*slotsPerDay {
		t.Fatalf("%s=%q: want %d to %d", EnvBookings, v, minBookings, 300*slotsPerDay)
	}
	return n
}

func (d *deployment) allServices() []*service {
	var out []*service
	for _, svc := range Services {
		out = append(out, d.services[svc]...)
	}
	return out
}

// setup registers the owner, creates the business (time zone UTC, open
// 08:00-20:00 every day), a free and a paid 30-minute service, and plans
// n bookings on distinct slots from three days ahead (so no reminder falls
// due during the run). Every 20 slots, 3 are contested by a second guest
// booking the free service at the same time.
func (r *scaleRun) setup(t *testing.T, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	fail := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("setup: %v", err)
		}
	}
	r.ownerEmail = "owner@scaleout.test"
	var session struct {
		AccessToken string `json:"accessToken"`
	}
	fail(r.api.expect(ctx, request{method: "POST", path: "/api/v1/auth/register", body: map[string]any{
		"email": r.ownerEmail, "password": "correct horse battery", "firstName": "Olga", "lastName": "Owner", "role": "business_owner",
	}}, http.StatusCreated, &session))
	r.owner = session.AccessToken
	var biz, svc struct {
		ID string `json:"id"`
	}
	// business reads its owner from user.created; retry until it has.
	fail(r.until(ctx, "business created", func() (bool, error) {
		status, body, err := r.api.call(ctx, request{method: "POST", path: "/api/v1/businesses", token: r.owner,
			body: map[string]any{"name": "Scale-out Studio", "subdomain": "scaleout", "timeZone": "UTC"}})
		if err != nil || status != http.StatusCreated {
			return false, err
		}
		return true, json.Unmarshal(body, &biz)
	}))
	r.businessID = biz.ID
	base := "/api/v1/businesses/" + biz.ID
	fail(r.api.expect(ctx, request{method: "POST", path: base + "/services", token: r.owner,
		body: map[string]any{"name": "Free check-up", "duration": 30, "price": 0, "currency": "EUR"}}, http.StatusCreated, &svc))
	r.freeServiceID = svc.ID
	fail(r.api.expect(ctx, request{method: "POST", path: base + "/services", token: r.owner,
		body: map[string]any{"name": "Paid session", "duration": 30, "price": 25, "currency": "EUR"}}, http.StatusCreated, &svc))
	r.paidServiceID = svc.ID
	var staff struct {
		Staff []struct {
			ID string `json:"id"`
		} `json:"staff"`
	}
	fail(r.api.expect(ctx, request{method: "GET", path: base + "/staff", token: r.owner}, http.StatusOK, &staff))
	if len(staff.Staff) != 1 {
		t.Fatalf("setup: staff %+v, want the implicit member", staff)
	}
	r.staffID = staff.Staff[0].ID
	var weekly []map[string]any
	for day := range 7 {
		weekly = append(weekly, map[string]any{"weekday": day, "start": "08:00", "end": "20:00"})
	}
	fail(r.api.expect(ctx, request{method: "PUT", path: base + "/staff/" + r.staffID + "/availability", token: r.owner,
		body: map[string]any{"weekly": weekly, "overrides": []any{}}}, http.StatusOK, nil))

	first := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 3).Add(8 * time.Hour)
	for i := range n {
		b := &booking{n: i, kind: []kind{free, free, paid, paid, declined}[i%5], key: fmt.Sprintf("scaleout-%d", i),
			name: fmt.Sprintf("Guest %d", i), email: fmt.Sprintf("guest-%d@scaleout.test", i),
			start: first.AddDate(0, 0, i/slotsPerDay).Add(time.Duration(i%slotsPerDay) * 30 * time.Minute)}
		r.mains = append(r.mains, b)
		if c := i % 20; c == 0 || c == 7 || c == 14 { // a free, a paid and a declined main
			r.rivals[i] = &booking{n: i, kind: free, key: fmt.Sprintf("scaleout-rival-%d", i),
				name: fmt.Sprintf("Rival %d", i), email: fmt.Sprintf("rival-%d@scaleout.test", i), start: b.start}
		}
	}
	// scheduling offers the last slot once its projections have the
	// business, both services, the staff member and the opening hours.
	last := r.mains[n-1].start
	fail(r.until(ctx, "scheduling offers the slots", func() (bool, error) {
		for _, id := range []string{r.freeServiceID, r.paidServiceID} {
			day := last.Format(time.DateOnly)
			status, body, err := r.api.call(ctx, request{method: "GET",
				path: "/api/v1/public/businesses/scaleout/slots?serviceId=" + id + "&from=" + day + "&to=" + day})
			if err != nil || status != http.StatusOK || !strings.Contains(string(body), `"start":"`+last.Format(time.RFC3339)+`"`) {
				return false, err
			}
		}
		return true, nil
	}))
}

// until polls cond every 100 ms until it holds, fails, or ctx ends.
func (r *scaleRun) until(ctx context.Context, what string, cond func() (bool, error)) error {
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// drive runs every booking through the saga with workers in parallel.
func (r *scaleRun) drive(ctx context.Context, t *testing.T) error {
	r.bookingsStarted = time.Now()
	jobs := make(chan *booking)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				if err := r.bookOne(ctx, b); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("booking %d (%s): %w", b.n, b.kind, err))
					mu.Unlock()
				}
				if done := r.done.Add(1); done%int64(max(len(r.mains)/10, 1)) == 0 {
					t.Logf("%d/%d bookings driven (%s)", done, len(r.mains), time.Since(r.bookingsStarted).Round(time.Second))
				}
			}
		}()
	}
	for _, b := range r.mains {
		select {
		case jobs <- b:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("%d bookings failed; first: %w", len(errs), errors.Join(errs[:min(len(errs), 5)]...))
	}
	return nil
}

// bookOne books b's slot (together with its rival, if contested), then
// pays when the service is paid; a declined guest then cancels.
func (r *scaleRun) bookOne(ctx context.Context, b *booking) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	rival := r.rivals[b.n]
	var rivalErr error
	var wg sync.WaitGroup
	if rival != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rivalErr = r.create(ctx, rival, true)
		}()
	}
	err := r.create(ctx, b, rival != nil)
	wg.Wait()
	if err := errors.Join(err, rivalErr); err != nil {
		return err
	}
	if rival != nil && b.created == rival.created {
		return fmt.Errorf("contested slot %s: main created=%v, rival created=%v; want exactly one", b.start.Format(time.RFC3339), b.created, rival.created)
	}
	if !b.created || b.kind == free {
		return nil
	}
	if err := r.pay(ctx, b); err != nil || b.kind != declined {
		return err
	}
	return r.cancel(ctx, b)
}

// create posts the booking as a guest with its Idempotency-Key (resent
// unchanged when the answer is lost); 409 is accepted only for a contested
// slot.
func (r *scaleRun) create(ctx context.Context, b *booking, contested bool) error {
	serviceID := r.freeServiceID
	if b.kind != free {
		serviceID = r.paidServiceID
	}
	status, body, err := r.api.call(ctx, request{method: "POST", path: "/api/v1/bookings",
		header: map[string]string{"Idempotency-Key": b.key},
		body: map[string]any{"businessId": r.businessID, "serviceId": serviceID, "staffId": r.staffID,
			"startTime": b.start.Format(time.RFC3339), "client": map[string]any{"name": b.name, "email": b.email}}})
	if err != nil {
		return err
	}
	switch {
	case status == http.StatusConflict && contested:
		return nil
	case status != http.StatusCreated:
		return fmt.Errorf("POST /api/v1/bookings = %d %s", status, body)
	}
	var out struct {
		ID          string `json:"id"`
		ClientID    string `json:"clientId"`
		Status      string `json:"status"`
		ManageToken string `json:"manageToken"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return fmt.Errorf("decode booking %s: %w", body, err)
	}
	want := "pending"
	if b.kind == free {
		want = "confirmed"
	}
	if out.Status != want {
		return fmt.Errorf("booking %s created %s, want %s", out.ID, out.Status, want)
	}
	if out.ManageToken == "" {
		return fmt.Errorf("booking %s: 201 without a manageToken: %s", out.ID, body)
	}
	b.created, b.id, b.clientID, b.manageToken = true, out.ID, out.ClientID, out.ManageToken
	return nil
}

// payment is the payment of a booking as the API shows it.
type payment struct {
	PaymentID     string `json:"paymentId"`
	Status        string `json:"status"`
	PayURL        string `json:"payUrl"`
	Payable       bool   `json:"payable"`
	FailureReason string `json:"failureReason"`
}

// pay waits for the booking's payment (payment creates it from
// booking.created) and pays it with the card of b's kind, as the guest:
// the payment is read with the booking's manage token (?token=). A
// declined card answers 402 and leaves the payment payable, with the
// decline's failureReason.
func (r *scaleRun) pay(ctx context.Context, b *booking) error {
	var p payment
	path := "/api/v1/bookings/" + b.id + "/payment?token=" + url.QueryEscape(b.manageToken)
	err := r.until(ctx, "payment of "+b.id, func() (bool, error) {
		status, body, err := r.api.call(ctx, request{method: "GET", path: path})
		switch {
		case err != nil:
			return false, err
		case status == http.StatusNotFound:
			return false, nil
		case status != http.StatusOK:
			return false, fmt.Errorf("GET %s = %d %s", path, status, body)
		}
		return true, json.Unmarshal(body, &p)
	})
	if err != nil {
		return err
	}
	if p.Status != "requires_payment" || p.PayURL == "" {
		return fmt.Errorf("payment %+v, want requires_payment with a payUrl", p)
	}
	card, wantStatus, want, wantReason := "4242 4242 4242 4242", http.StatusOK, "succeeded", ""
	if b.kind == declined {
		card, wantStatus, want, wantReason = "4000 0000 0000 0002", http.StatusPaymentRequired, "requires_payment", "card_declined"
	}
	payPath := p.PayURL
	if u, err := url.Parse(p.PayURL); err == nil && u.IsAbs() {
		payPath = u.RequestURI()
	}
	status, body, err := r.api.call(ctx, request{method: "POST", path: payPath, body: map[string]any{"cardNumber": card}})
	if err != nil {
		return err
	}
	if status == http.StatusConflict && b.kind == paid { // a retried pay whose first answer was lost
		if err := r.api.expect(ctx, request{method: "GET", path: path}, http.StatusOK, &p); err != nil {
			return err
		}
	} else if status != wantStatus || json.Unmarshal(body, &p) != nil {
		return fmt.Errorf("POST %s = %d %s, want %d", payPath, status, body, wantStatus)
	}
	if p.Status != want || p.FailureReason != wantReason || p.Payable != (b.kind == declined) {
		return fmt.Errorf("payment %s is %s (failureReason %q, payable %v), want %s (failureReason %q, payable %v)",
			p.PaymentID, p.Status, p.FailureReason, p.Payable, want, wantReason, b.kind == declined)
	}
	return nil
}

// bookingAnswer is a booking as the API shows it.
type bookingAnswer struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	CancelReason string `json:"cancelReason"`
	CancelledBy  string `json:"cancelledBy"`
}

// cancel cancels b as its guest after the declined attempt: POST
// /api/v1/bookings/{id}/cancel?token=<manage token>, no reason given. A
// resent cancel whose first answer was lost (a killed scheduling
// instance) is refused with 409 (the booking is no longer modifiable);
// the booking is then read with the token.
func (r *scaleRun) cancel(ctx context.Context, b *booking) error {
	q := "?token=" + url.QueryEscape(b.manageToken)
	path := "/api/v1/bookings/" + b.id + "/cancel" + q
	status, body, err := r.api.call(ctx, request{method: "POST", path: path})
	if err != nil {
		return err
	}
	var out bookingAnswer
	switch {
	case status == http.StatusConflict && strings.Contains(string(body), "booking_not_modifiable"):
		r.cancelResent.Add(1)
		if err := r.api.expect(ctx, request{method: "GET", path: "/api/v1/bookings/" + b.id + q}, http.StatusOK, &out); err != nil {
			return err
		}
	case status != http.StatusOK:
		return fmt.Errorf("POST %s = %d %s, want 200", path, status, body)
	default:
		if err := json.Unmarshal(body, &out); err != nil {
			return fmt.Errorf("decode cancelled booking %s: %w", body, err)
		}
	}
	if out.ID != b.id || out.Status != "cancelled" || out.CancelReason != "cancelled_by_client" || out.CancelledBy != b.clientID {
		return fmt.Errorf("cancelled booking %+v, want %s cancelled (cancelled_by_client) by %s", out, b.id, b.clientID)
	}
	return nil
}

// injectFaults, while the bookings run: kills -9 the NATS node leading
// the event log at 15% of the bookings and restarts it at 30%; kills -9
// scheduling-1 at 45% and restarts it at 60%. A restart does not hold up
// the next fault: the node's catching up and the instance's start are
// awaited in the background, before injectFaults returns. Every fault must
// fire while bookings are still in flight.
func (r *scaleRun) injectFaults(ctx context.Context, t *testing.T, n int) error {
	var killed *proc
	sched := r.d.services["scheduling"][0]
	var bg sync.WaitGroup
	bgErrs := make(chan error, 2)
	steps := []struct {
		at   float64
		what string
		do   func() error
	}{
		{0.15, "kill -9 the NATS node leading " + eventbus.EventStream, func() error {
			p, err := r.d.streamLeader(ctx)
			if err != nil {
				return err
			}
			killed = p
			return p.kill9()
		}},
		{0.30, "restart the killed NATS node", func() error {
			began := time.Now()
			if err := killed.start(); err != nil {
				return err
			}
			bg.Add(1)
			go func() {
				defer bg.Done()
				err := r.d.waitNode(killed, time.Minute)
				if err == nil {
					err = r.until(ctx, "streams current again", func() (bool, error) {
						cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
						defer cancel()
						return r.d.streamsHealthy(cctx) == nil, nil
					})
				}
				t.Logf("fault: %s back, streams current after %s", killed.name, time.Since(began).Round(time.Millisecond))
				bgErrs <- err
			}()
			return nil
		}},
		{0.45, "kill -9 " + sched.name, sched.kill9},
		{0.60, "restart " + sched.name, func() error {
			began := time.Now()
			if err := sched.start(); err != nil {
				return err
			}
			bg.Add(1)
			go func() {
				defer bg.Done()
				rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
				defer cancel()
				err := waitReady(rctx, sched.proc, "http://"+sched.addr+"/readyz")
				t.Logf("fault: %s ready again after %s", sched.name, time.Since(began).Round(time.Millisecond))
				bgErrs <- err
			}()
			return nil
		}},
	}
	var errs []error
	for _, s := range steps {
		err := r.until(ctx, s.what, func() (bool, error) {
			return r.done.Load() >= int64(s.at*float64(n)), nil
		})
		if err == nil {
			err = s.do()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.what, err))
			break
		}
		done := r.done.Load()
		t.Logf("fault at %d/%d bookings: %s", done, n, s.what)
		if done >= int64(n) {
			errs = append(errs, fmt.Errorf("%s: fired after the last booking, not during the run", s.what))
		}
	}
	bg.Wait()
	close(bgErrs)
	for err := range bgErrs {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
