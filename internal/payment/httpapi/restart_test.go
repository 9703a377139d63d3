package httpapi_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestOneSucceededAcrossRestarts: a booking declined once and then paid
// before a restart, its booking.created redelivered and paid again after
// it, has exactly one payment, one payment.failed and one
// payment.succeeded in the stream.
func TestOneSucceededAcrossRestarts(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		cfg := apptest.Config(t, engine)
		cfg.Services = []string{"payment"}
		first, stop := startStoppable(t, cfg)
		b := newBooking("biz_restart", clientID, time.Now().Add(72*time.Hour), 25, "USD")
		created := publish(t, first, time.Now(), "", b.BookingCreated)
		c := as(t, first, clientID, authn.RoleClient)
		p := waitPayment(t, c, b.BookingID)
		must(anon(t, first), 402, "POST", p["payUrl"].(string), obj{"cardNumber": "4000 0000 0000 0002"})
		must(anon(t, first), 200, "POST", p["payUrl"].(string), obj{"cardNumber": "4242 4242 4242 4242"})
		waitTypes(t, first, b.BookingID, event.TypePaymentFailed, event.TypePaymentSucceeded)
		stop()

		h := apptest.Start(t, cfg)
		eventbustest.PublishEnvelope(t, h.JS, created, "after-restart-"+created.ID, "")
		publish(t, h, time.Now(), "", b.BookingCreated)
		c = as(t, h, clientID, authn.RoleClient)
		if got := waitPayment(t, c, b.BookingID); got["paymentId"] != p["paymentId"] || got["status"] != "succeeded" {
			t.Fatalf("after restart: %v", got)
		}
		must(anon(t, h), 409, "POST", p["payUrl"].(string), obj{"cardNumber": "4242 4242 4242 4242"})
		settle(t, h)
		if got := types(paymentEvents(t, h, b.BookingID)); len(got) != 2 || got[0] != event.TypePaymentFailed || got[1] != event.TypePaymentSucceeded {
			t.Fatalf("payment events = %v, want one payment.failed and one payment.succeeded", got)
		}
	})
}

// startStoppable starts an App the test stops itself (before starting
// another on the same data).
func startStoppable(t *testing.T, cfg app.Config) (*apptest.Harness, func()) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(a.NATSURL())
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			nc.Close()
			sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if err := a.Shutdown(sctx); err != nil {
				t.Errorf("shutdown: %v", err)
			}
		})
	}
	t.Cleanup(stop) // when the test fails before stopping it
	return &apptest.Harness{App: a, Config: cfg, BaseURL: "http://" + a.HTTPAddr(), JS: js}, stop
}
