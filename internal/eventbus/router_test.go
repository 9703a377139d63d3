package eventbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
)

func envelope(t *testing.T, typ string, data any) event.Envelope {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	return event.Envelope{ID: event.NewID(), Type: typ, Data: raw}
}

func TestRouterDispatchesTypedData(t *testing.T) {
	errGone := errors.New("gone for good")
	var got []string
	var order []string
	r := eventbus.NewRouter("things").PermanentOn(errGone)
	r.Use(func(next eventbus.Handler) eventbus.Handler {
		return func(ctx context.Context, ev event.Envelope) error {
			order = append(order, "mw:"+ev.Type)
			return next(ctx, ev)
		}
	})
	eventbus.On(r, event.TypeUserCreated, func(_ context.Context, ev event.Envelope, d event.UserCreated) error {
		got = append(got, d.Email)
		order = append(order, "handler:"+ev.Type)
		return nil
	})
	eventbus.On(r, event.TypeUserDeleted, func(_ context.Context, _ event.Envelope, d event.UserDeleted) error {
		if d.UserID == "user_gone" {
			return errGone
		}
		return errors.New("database is down")
	})
	sub := r.Subscription()
	if sub.Name != "things" || strings.Join(sub.Types, ",") != "user.created,user.deleted" {
		t.Fatalf("subscription = %s %v", sub.Name, sub.Types)
	}
	ctx := context.Background()
	if err := sub.Handler(ctx, envelope(t, event.TypeUserCreated, event.UserCreated{UserID: "user_1", Email: "a@example.com"})); err != nil {
		t.Fatalf("handle: %v", err)
	}
	if len(got) != 1 || got[0] != "a@example.com" || strings.Join(order, ",") != "mw:user.created,handler:user.created" {
		t.Fatalf("got %v, order %v", got, order)
	}
	cases := []struct {
		name      string
		ev        event.Envelope
		permanent bool
	}{
		{"undecodable data is permanent", event.Envelope{ID: "evt_1", Type: event.TypeUserCreated, Data: []byte(`{"userId": 7}`)}, true},
		{"missing data is permanent", event.Envelope{ID: "evt_2", Type: event.TypeUserCreated}, true},
		{"unknown type is permanent", envelope(t, event.TypeBookingCreated, map[string]string{}), true},
		{"listed error is permanent", envelope(t, event.TypeUserDeleted, event.UserDeleted{UserID: "user_gone"}), true},
		{"other errors are retried", envelope(t, event.TypeUserDeleted, event.UserDeleted{UserID: "user_2"}), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := sub.Handler(ctx, c.ev)
			if err == nil {
				t.Fatal("no error")
			}
			if eventbus.IsPermanent(err) != c.permanent {
				t.Fatalf("IsPermanent(%v) = %v, want %v", err, eventbus.IsPermanent(err), c.permanent)
			}
			if !strings.Contains(err.Error(), "things") {
				t.Fatalf("error %q does not name the router", err)
			}
		})
	}
}

func TestRouterRefusesATypeTwice(t *testing.T) {
	r := eventbus.NewRouter("twice")
	h := func(context.Context, event.Envelope, event.UserDeleted) error { return nil }
	eventbus.On(r, event.TypeUserDeleted, h)
	defer func() {
		if recover() == nil {
			t.Fatal("second registration did not panic")
		}
	}()
	eventbus.On(r, event.TypeUserDeleted, h)
}
