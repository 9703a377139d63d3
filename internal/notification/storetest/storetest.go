// Package storetest is the conformance suite of notification.Store: every
// engine's Store must pass it, including the concurrency cases (several
// claimers of due reminders, queued messages and due webhook deliveries
// at once).
package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/notification"
)

// Run runs the suite; open returns a fresh, migrated Store. The subtests
// run in parallel, each on a Store of its own.
func Run(t *testing.T, open func(t *testing.T) notification.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s notification.Store)
	}{
		{"projections round-trip", testProjections},
		{"delivery upsert keeps id and creation", testDeliveries},
		{"reminders replace and claim", testReminders},
		{"queued messages add once and claim", testQueue},
		{"webhooks and deliveries", testWebhooks},
		{"concurrent reminder claims take each once", testConcurrentReminderClaims},
		{"concurrent webhook delivery claims take each once", testConcurrentWebhookClaims},
		{"concurrent queued message claims take each once", testConcurrentQueueClaims},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.f(t, open(t))
		})
	}
}

var t0 = time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testProjections(t *testing.T, s notification.Store) {
	ctx := context.Background()
	if _, err := s.Recipient(ctx, "user_x"); !errors.Is(err, notification.ErrNotFound) {
		t.Fatalf("missing recipient: got %v, want ErrNotFound", err)
	}
	r := notification.Recipient{ID: "user_1", Email: "a@example.com", FirstName: "Ada", LastName: "L", TimeZone: "Europe/Berlin", UpdatedAt: t0}
	must(t, s.PutRecipient(ctx, r))
	r.Email = "b@example.com"
	must(t, s.PutRecipient(ctx, r))
	got, err := s.Recipient(ctx, "user_1")
	must(t, err)
	if got != r {
		t.Fatalf("recipient = %+v, want %+v", got, r)
	}
	b := notification.Business{ID: "biz_1", Name: "Salon", TimeZone: "Europe/Berlin", OwnerID: "user_1", ReminderOffsets: []time.Duration{2 * time.Hour, 90 * time.Second},
		Subdomain: "salon", Address: "Main St 1\n10115 Berlin"}
	must(t, s.PutBusiness(ctx, b))
	gb, err := s.Business(ctx, "biz_1")
	must(t, err)
	if gb.Name != b.Name || gb.OwnerID != b.OwnerID || len(gb.ReminderOffsets) != 2 || gb.ReminderOffsets[1] != 90*time.Second ||
		gb.Subdomain != b.Subdomain || gb.Address != b.Address {
		t.Fatalf("business = %+v, want %+v", gb, b)
	}
	o := notification.Offering{ID: "svc_1", BusinessID: "biz_1", Name: "Cut", DurationMinutes: 45, Deleted: true}
	must(t, s.PutOffering(ctx, o))
	if got, err := s.Offering(ctx, "svc_1"); err != nil || got != o {
		t.Fatalf("offering = %+v, %v; want %+v", got, err, o)
	}
	bk := notification.Booking{ID: "bk_1", BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_1", Start: t0, End: t0.Add(time.Hour),
		Status: notification.BookingPending, Sequence: 2, GuestEmail: "g@example.com", UpdatedAt: t0,
		Amount: 30.5, Currency: "EUR", RequiresPayment: true, HoldUntil: t0.Add(-time.Hour), Note: "Second floor.\n\tRing twice."}
	must(t, s.PutBooking(ctx, bk))
	if got, err := s.Booking(ctx, "bk_1"); err != nil || got != bk {
		t.Fatalf("booking = %+v, %v; want %+v", got, err, bk)
	}
	// Confirmed: invited, the hold gone (NULL).
	bk.Status, bk.Invited, bk.HoldUntil = notification.BookingConfirmed, true, time.Time{}
	must(t, s.PutBooking(ctx, bk))
	if got, err := s.Booking(ctx, "bk_1"); err != nil || got != bk {
		t.Fatalf("booking = %+v, %v; want %+v", got, err, bk)
	}
}

func testDeliveries(t *testing.T, s notification.Store) {
	ctx := context.Background()
	key := notification.DeliveryKey{SourceID: "evt_1", Channel: "email", Recipient: "a@example.com"}
	d := notification.Delivery{ID: "notif_1", Key: key, RecipientID: "user_1", Kind: "welcome", Subject: "Hi",
		Status: notification.StatusSending, Attempts: 1, CreatedAt: t0, UpdatedAt: t0}
	must(t, s.PutDelivery(ctx, d))
	d2 := d
	d2.ID, d2.CreatedAt, d2.Status, d2.Attempts, d2.ProviderMessageID, d2.UpdatedAt = "notif_2", t0.Add(time.Hour), notification.StatusSent, 2, "pid", t0.Add(time.Minute)
	must(t, s.PutDelivery(ctx, d2))
	got, err := s.Delivery(ctx, key)
	must(t, err)
	if got.ID != "notif_1" || !got.CreatedAt.Equal(t0) || got.Status != notification.StatusSent || got.Attempts != 2 || got.ProviderMessageID != "pid" {
		t.Fatalf("delivery after upsert = %+v", got)
	}
	all, err := s.Deliveries(ctx, "user_1")
	must(t, err)
	if len(all) != 1 {
		t.Fatalf("deliveries = %d, want 1", len(all))
	}
}

func testReminders(t *testing.T, s notification.Store) {
	ctx := context.Background()
	rs := []notification.Reminder{
		{ID: "rem_1", BookingID: "bk_1", Offset: 24 * time.Hour, DueAt: t0, Status: notification.ReminderScheduled},
		{ID: "rem_2", BookingID: "bk_1", Offset: time.Hour, DueAt: t0.Add(23 * time.Hour), Status: notification.ReminderScheduled},
	}
	must(t, s.ReplaceReminders(ctx, "bk_1", rs))
	claim := func(now time.Time) (notification.Reminder, error) {
		var r notification.Reminder
		err := s.Atomically(ctx, func(ctx context.Context) error {
			var err error
			r, err = s.ClaimDueReminder(ctx, now)
			return err
		})
		return r, err
	}
	if _, err := claim(t0.Add(-time.Second)); !errors.Is(err, notification.ErrNotFound) {
		t.Fatalf("claim before due: %v, want ErrNotFound", err)
	}
	r, err := claim(t0)
	must(t, err)
	if r.ID != "rem_1" || r.Offset != 24*time.Hour {
		t.Fatalf("claimed %+v, want rem_1", r)
	}
	r.Status = notification.ReminderSent
	must(t, s.UpdateReminder(ctx, r))
	// Replacing drops only scheduled reminders.
	must(t, s.ReplaceReminders(ctx, "bk_1", []notification.Reminder{{ID: "rem_3", BookingID: "bk_1", Offset: time.Hour, DueAt: t0.Add(48 * time.Hour), Status: notification.ReminderScheduled}}))
	list, err := s.Reminders(ctx, "bk_1")
	must(t, err)
	if len(list) != 2 || list[0].ID != "rem_1" || list[1].ID != "rem_3" {
		t.Fatalf("reminders after replace = %+v", list)
	}
}

func queued(id, source, to string, due time.Time) notification.QueuedMessage {
	return notification.QueuedMessage{
		ID: id, SourceID: source, Kind: notification.KindOwnerNewBooking, RecipientID: "user_owner", Correlation: "corr_1",
		Message: notification.Message{To: to, ToName: `Ow "N" er`, FromName: "Salon", ReplyTo: "g@example.com", ReplyToName: "Gus",
			Subject: "New booking", Text: "text\n", HTML: "<p>html</p>"},
		DueAt: due, Status: notification.QueuedWaiting, CreatedAt: t0,
	}
}

func testQueue(t *testing.T, s notification.Store) {
	ctx := context.Background()
	q := queued("qmsg_1", "evt_1", "o@example.com", t0)
	ok, err := s.QueueMessage(ctx, q)
	must(t, err)
	dup, err := s.QueueMessage(ctx, queued("qmsg_dup", "evt_1", "o@example.com", t0))
	must(t, err)
	if !ok || dup {
		t.Fatalf("queue: first %v, same source, kind and address again %v; want true, false", ok, dup)
	}
	other, err := s.QueueMessage(ctx, queued("qmsg_2", "evt_1", "other@example.com", t0.Add(time.Minute)))
	must(t, err)
	if !other {
		t.Fatal("a message of the same event to another address was not queued")
	}
	claim := func(now time.Time) (notification.QueuedMessage, error) {
		var got notification.QueuedMessage
		err := s.Atomically(ctx, func(ctx context.Context) error {
			var err error
			got, err = s.ClaimDueQueuedMessage(ctx, now)
			return err
		})
		return got, err
	}
	if _, err := claim(t0.Add(-time.Second)); !errors.Is(err, notification.ErrNotFound) {
		t.Fatalf("claim before due: %v, want ErrNotFound", err)
	}
	got, err := claim(t0)
	must(t, err)
	if !reflect.DeepEqual(got, q) {
		t.Fatalf("claimed %+v, want %+v", got, q)
	}
	got.Status, got.Attempts, got.LastError, got.DueAt = notification.QueuedFailed, 3, "boom", t0.Add(time.Hour)
	must(t, s.UpdateQueuedMessage(ctx, got))
	if _, err := claim(t0.Add(2 * time.Hour)); err != nil {
		t.Fatalf("claim of the second message: %v", err)
	}
	list, err := s.QueuedMessages(ctx, "user_owner")
	must(t, err)
	if len(list) != 2 || !reflect.DeepEqual(list[0], got) || list[1].ID != "qmsg_2" {
		t.Fatalf("queue = %+v", list)
	}
}

func testWebhooks(t *testing.T, s notification.Store) {
	ctx := context.Background()
	w := notification.Webhook{ID: "wh_1", BusinessID: "biz_1", URL: "http://127.0.0.1/x", EventTypes: []string{"booking.created", "payment.failed"}, Secret: "s", CreatedAt: t0}
	must(t, s.CreateWebhook(ctx, w))
	if _, err := s.Webhook(ctx, "biz_other", "wh_1"); !errors.Is(err, notification.ErrNotFound) {
		t.Fatalf("webhook of another business: %v, want ErrNotFound", err)
	}
	ws, err := s.Webhooks(ctx, "biz_1")
	must(t, err)
	if len(ws) != 1 || len(ws[0].EventTypes) != 2 || ws[0].Secret != "s" {
		t.Fatalf("webhooks = %+v", ws)
	}
	d := notification.WebhookDelivery{ID: "whd_1", WebhookID: "wh_1", BusinessID: "biz_1", EventID: "evt_1", EventType: "booking.created",
		Body: []byte(`{"a":1}`), Status: notification.WebhookPending, NextAttemptAt: t0, CreatedAt: t0, UpdatedAt: t0}
	ok, err := s.AddWebhookDelivery(ctx, d)
	must(t, err)
	d.ID = "whd_dup"
	dup, err := s.AddWebhookDelivery(ctx, d)
	must(t, err)
	if !ok || dup {
		t.Fatalf("add delivery: first %v, duplicate %v; want true, false", ok, dup)
	}
	var claimed notification.WebhookDelivery
	must(t, s.Atomically(ctx, func(ctx context.Context) error {
		var err error
		claimed, err = s.ClaimDueWebhookDelivery(ctx, t0)
		return err
	}))
	if claimed.ID != "whd_1" || string(claimed.Body) != `{"a":1}` {
		t.Fatalf("claimed %+v", claimed)
	}
	for range 2 {
		must(t, s.AddWebhookAttempt(ctx, notification.WebhookAttempt{DeliveryID: "whd_1", At: t0, StatusCode: 500, Error: "boom", Duration: time.Millisecond}))
	}
	claimed.Status, claimed.Attempts = notification.WebhookDead, 2
	must(t, s.UpdateWebhookDelivery(ctx, claimed))
	got, err := s.WebhookDelivery(ctx, "wh_1", "whd_1")
	must(t, err)
	if got.Status != notification.WebhookDead || len(got.History) != 2 || got.History[1].Attempt != 2 || got.History[0].StatusCode != 500 {
		t.Fatalf("delivery = %+v", got)
	}
	must(t, s.DeleteWebhook(ctx, "biz_1", "wh_1"))
	if _, err := s.WebhookDelivery(ctx, "wh_1", "whd_1"); !errors.Is(err, notification.ErrNotFound) {
		t.Fatalf("delivery after webhook delete: %v, want ErrNotFound", err)
	}
	if err := s.DeleteWebhook(ctx, "biz_1", "wh_1"); !errors.Is(err, notification.ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
}
