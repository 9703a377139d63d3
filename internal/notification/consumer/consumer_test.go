package consumer_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/notification/consumer"
	"github.com/slotwise/slotwise/internal/notification/sqlstore"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

type noEvents struct{}

func (noEvents) Record(context.Context, string, string, any) (event.Envelope, error) {
	return event.Envelope{}, nil
}

type noSender struct{}

func (noSender) Channel() string                                            { return notification.ChannelLog }
func (noSender) Send(context.Context, notification.Message) (string, error) { return "", nil }

func subscription(t *testing.T) eventbus.Subscription {
	t.Helper()
	// The events below fail before the store is used: it needs no schema.
	svc, err := notification.NewService(sqlstore.New(sqldbtest.Open(t, sqldb.SQLite)), noEvents{}, noSender{}, notification.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return consumer.Events(svc)
}

func TestEventsSubscribesToEveryTypeTheServiceHandles(t *testing.T) {
	t.Parallel()
	sub := subscription(t)
	want := []string{
		event.TypeUserCreated, event.TypeUserUpdated, event.TypeUserDeleted,
		event.TypeBusinessCreated, event.TypeBusinessUpdated,
		event.TypeServiceCreated, event.TypeServiceUpdated, event.TypeServiceDeleted,
		event.TypeBookingCreated, event.TypeBookingConfirmed, event.TypeBookingRescheduled,
		event.TypeBookingCancelled, event.TypeBookingExpired,
		event.TypePaymentSucceeded, event.TypePaymentFailed, event.TypePaymentRefunded,
	}
	if sub.Name != "events" || !slices.Equal(sub.Types, want) {
		t.Fatalf("subscription %q %v, want events %v", sub.Name, sub.Types, want)
	}
}

func TestUnusableEventsArePermanent(t *testing.T) {
	t.Parallel()
	sub := subscription(t)
	for name, ev := range map[string]event.Envelope{
		"undecodable data": {ID: "evt_1", Type: event.TypeUserCreated, Data: json.RawMessage(`"not an object"`)},
		"unknown type":     {ID: "evt_2", Type: "user.renamed", Data: json.RawMessage(`{}`)},
	} {
		ev.Timestamp = time.Now()
		if err := sub.Handler(context.Background(), ev); !eventbus.IsPermanent(err) {
			t.Errorf("%s: %v, want a permanent error", name, err)
		}
	}
}
