package scaleout

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/eventbus"
)

// EnvScaleOut enables the suite.
const EnvScaleOut = "SLOTWISE_SCALEOUT"

// cluster is a running 3-node test cluster.
type cluster struct {
	pki   *PKI
	nodes []Node
	srvs  []*server.Server
	urls  string
}

func requireScaleOut(t *testing.T) {
	t.Helper()
	if os.Getenv(EnvScaleOut) != "1" {
		t.Skipf("%s=1 runs the scale-out suite", EnvScaleOut)
	}
}

// startCluster starts the three nodes from deploy/nats and waits until
// JetStream has a meta leader.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	for k, v := range PasswordEnv() {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	pki, err := NewPKI(dir)
	if err != nil {
		t.Fatalf("pki: %v", err)
	}
	nodes, err := WriteClusterConfigs(filepath.Join("..", "..", "deploy", "nats"), dir, pki, 3)
	if err != nil {
		t.Fatalf("configs: %v", err)
	}
	c := &cluster{pki: pki, nodes: nodes}
	urls := make([]string, len(nodes))
	for i, n := range nodes {
		s, err := StartNode(n)
		if err != nil {
			t.Fatal(err)
		}
		c.srvs = append(c.srvs, s)
		t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
		urls[i] = n.ClientURL()
	}
	c.urls = strings.Join(urls, ",")
	nc := c.connect(t, "ops", c.tlsOpts()...)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "JetStream cluster ready", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := js.AccountInfo(ctx)
		return err == nil
	})
	return c
}

// client returns the settings `slotwise serve` would use for user.
func (c *cluster) client(user string) app.NATSClient {
	return app.NATSClient{User: user, Password: Password(user), TLSCA: c.pki.CAFile, TLSCert: c.pki.ClientCert, TLSKey: c.pki.ClientKey}
}

func (c *cluster) tlsOpts() []nats.Option {
	return []nats.Option{nats.RootCAs(c.pki.CAFile), nats.ClientCert(c.pki.ClientCert, c.pki.ClientKey)}
}

func (c *cluster) dial(user string, opts ...nats.Option) (*nats.Conn, error) {
	opts = append(opts, nats.UserInfo(user, Password(user)), nats.MaxReconnects(0), nats.Timeout(5*time.Second))
	return nats.Connect(c.urls, opts...)
}

func (c *cluster) connect(t *testing.T, user string, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := c.dial(user, opts...)
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func TestClusterRefusesClientsWithoutValidTLSCredentials(t *testing.T) {
	requireScaleOut(t)
	c := startCluster(t)

	rogue := t.TempDir()
	other, err := NewPKI(rogue) // a CA the cluster does not trust
	if err != nil {
		t.Fatal(err)
	}
	refused := []struct {
		name string
		opts []nats.Option
	}{
		{"no TLS at all", nil},
		{"TLS without a client certificate", []nats.Option{nats.RootCAs(c.pki.CAFile)}},
		{"client certificate from another CA", []nats.Option{nats.RootCAs(c.pki.CAFile), nats.ClientCert(other.ClientCert, other.ClientKey)}},
	}
	for _, r := range refused {
		if nc, err := c.dial("scheduling", r.opts...); err == nil {
			nc.Close()
			t.Errorf("%s: connected, want refused", r.name)
		}
	}
	if nc, err := nats.Connect(c.urls, append(c.tlsOpts(), nats.UserInfo("scheduling", "wrong"), nats.MaxReconnects(0))...); err == nil {
		nc.Close()
		t.Errorf("wrong password: connected, want refused")
	}
	// The client settings `slotwise serve` builds connect.
	opts, err := c.client("scheduling").Options()
	if err != nil {
		t.Fatal(err)
	}
	nc := c.connect(t, "scheduling", opts...)
	if !nc.IsConnected() || nc.ConnectedUrl() == "" {
		t.Fatalf("valid credentials: not connected")
	}
	if _, err := nc.TLSConnectionState(); err != nil {
		t.Fatalf("valid credentials: no TLS state: %v", err)
	}
}

func TestServiceMayPublishOnlyItsOwnSubjects(t *testing.T) {
	requireScaleOut(t)
	c := startCluster(t)
	ops := c.connect(t, "ops", c.tlsOpts()...)
	opsJS, err := jetstream.New(ops)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := eventbus.EnsureStreams(ctx, opsJS, eventbus.StreamConfig{Replicas: 3, Domains: []string{"user", "business", "service", "staff", "availability", "booking", "payment", "notification"}}); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var asyncErrs []error
	notif := c.connect(t, "notification", append(c.tlsOpts(), nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		mu.Lock()
		asyncErrs = append(asyncErrs, err)
		mu.Unlock()
	}))...)
	// Core publish of another service's subject: the server refuses it.
	if err := notif.Publish("slotwise.booking.created", []byte(`{}`)); err != nil {
		t.Fatalf("publish: %v", err)
	}
	waitFor(t, 10*time.Second, "permissions violation reported", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range asyncErrs {
			if errors.Is(e, nats.ErrPermissionViolation) || strings.Contains(strings.ToLower(e.Error()), "permissions violation") {
				return true
			}
		}
		return false
	})
	// A JetStream publish is refused too (no ack), and nothing reached the log.
	notifJS, err := jetstream.New(notif)
	if err != nil {
		t.Fatal(err)
	}
	pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
	_, err = notifJS.Publish(pctx, "slotwise.booking.created", []byte(`{}`))
	pcancel()
	if err == nil {
		t.Fatalf("notification published slotwise.booking.created through JetStream")
	}
	// Its own subject is accepted.
	if _, err := notifJS.Publish(ctx, "slotwise.notification.sent", []byte(`{}`)); err != nil {
		t.Fatalf("notification publishing its own subject: %v", err)
	}
	// The owner of the subject may publish it.
	sched := c.connect(t, "scheduling", c.tlsOpts()...)
	schedJS, err := jetstream.New(sched)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schedJS.Publish(ctx, "slotwise.booking.created", []byte(`{}`)); err != nil {
		t.Fatalf("scheduling publishing slotwise.booking.created: %v", err)
	}
	s, err := opsJS.Stream(ctx, eventbus.EventStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter("slotwise.booking.created"))
	if err != nil {
		t.Fatal(err)
	}
	if got := info.State.Subjects["slotwise.booking.created"]; got != 1 {
		t.Fatalf("slotwise.booking.created in the log %d times, want 1 (scheduling's only)", got)
	}
	// A service cannot subscribe to event subjects directly either.
	if _, err := notif.SubscribeSync("slotwise.payment.>"); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	waitFor(t, 10*time.Second, "subscription refused", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range asyncErrs {
			if strings.Contains(strings.ToLower(e.Error()), "subscription to \"slotwise.payment.>\"") {
				return true
			}
		}
		return false
	})
}

// TestServicesRunWithTheirOwnUsers starts every service as `slotwise serve`
// configures it (external NATS over TLS, its own user, R3 streams) and
// checks that the shipped permissions are enough: streams created with 3
// replicas, each service's durable consumers created, and an event flowing
// from auth to business (published, consumed and acknowledged).
func TestServicesRunWithTheirOwnUsers(t *testing.T) {
	requireScaleOut(t)
	c := startCluster(t)
	keys := filepath.Join(t.TempDir(), "jwt-keys.json")
	var authApp *app.App
	for _, svc := range Services {
		cfg := app.Defaults()
		cfg.Services = []string{svc}
		cfg.DataDir = t.TempDir()
		cfg.SharedDataDir = true
		cfg.JWTKeysFile = keys
		cfg.HTTPAddr = "127.0.0.1:0"
		cfg.NATSURL = c.urls
		cfg.NATSClient = c.client(svc)
		cfg.StreamReplicas = 3
		cfg.RelayInterval = 50 * time.Millisecond
		cfg.LagInterval = 200 * time.Millisecond
		a, err := app.New(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		err = a.Start(ctx)
		cancel()
		if err != nil {
			t.Fatalf("start %s with its own NATS user: %v", svc, err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := a.Shutdown(ctx); err != nil {
				t.Errorf("shutdown %s: %v", svc, err)
			}
		})
		if svc == "auth" {
			authApp = a
		}
	}

	ops := c.connect(t, "ops", c.tlsOpts()...)
	js, err := jetstream.New(ops)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, name := range []string{eventbus.EventStream, eventbus.DLQStream} {
		s, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		info := s.CachedInfo()
		if info.Config.Replicas != 3 {
			t.Errorf("%s: %d replicas, want 3", name, info.Config.Replicas)
		}
		if info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
			t.Errorf("%s: cluster %+v, want a leader and 2 replicas", name, info.Cluster)
		}
	}
	for _, durable := range []string{"business-owners", "scheduling-payments", "payment-bookings", "notification-events"} {
		if _, err := js.Consumer(ctx, eventbus.EventStream, durable); err != nil {
			t.Errorf("consumer %s: %v", durable, err)
		}
	}

	body, _ := json.Marshal(map[string]string{"email": "ada@example.com", "password": "correct horse battery", "firstName": "Ada", "lastName": "Lovelace", "role": "business_owner"})
	resp, err := http.Post("http://"+authApp.HTTPAddr()+"/api/v1/auth/register", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %s", resp.Status)
	}
	cons, err := js.Consumer(ctx, eventbus.EventStream, "business-owners")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "business acknowledged user.created", func() bool {
		info, err := cons.Info(ctx)
		return err == nil && info.AckFloor.Stream >= 1 && info.NumAckPending == 0 && info.NumPending == 0
	})
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
