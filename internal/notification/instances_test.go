package notification_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/notification/mailer"
	"github.com/slotwise/slotwise/internal/notification/smtptest"
	"github.com/slotwise/slotwise/internal/notification/sqlstore"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// instances starts n notification services on one fresh PostgreSQL
// database, sending to srv with the clock now, and returns them with a
// Store on that database.
func instances(t *testing.T, n int, srv *smtptest.Server, now func() time.Time) ([]*notification.Service, notification.Store) {
	t.Helper()
	url := sqldbtest.URL(t, sqldb.Postgres)
	c := context.Background()
	open := func() *sqldb.DB {
		db, err := sqldb.Open(c, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	var svcs []*notification.Service
	for i := range n {
		db := open()
		if i == 0 {
			if err := stores.Migrate(c, db); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(c, "notification", sqlstore.Migrations(db.Engine)); err != nil {
				t.Fatal(err)
			}
		}
		cfg, err := mailer.ParseSMTPURL(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		sender, err := mailer.NewSMTP(cfg, "no-reply@slotwise.test")
		if err != nil {
			t.Fatal(err)
		}
		ob := eventbus.NewOutbox(db, stores.Outbox(db), "notification", catalog.Default(), eventbus.OutboxOptions{})
		svc, err := notification.NewService(sqlstore.New(db), ob, sender, notification.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, svc)
	}
	return svcs, sqlstore.New(open())
}

// Several instances on one PostgreSQL database fire each reminder once.
func TestRemindersFireOnceAcrossInstances(t *testing.T) {
	srv := smtptest.Start(t)
	c := context.Background()
	now := time.Date(2030, 1, 14, 14, 0, 0, 0, time.UTC)
	svcs, st := instances(t, 4, srv, func() time.Time { return now })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.PutRecipient(c, notification.Recipient{ID: "user_1", Email: client, FirstName: "Cleo"}))
	var rs []notification.Reminder
	for i := range 20 {
		id := "bk_" + string(rune('a'+i))
		must(st.PutBooking(c, notification.Booking{ID: id, BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_1",
			Start: now.Add(24 * time.Hour), End: now.Add(25 * time.Hour), Status: notification.BookingConfirmed}))
		rs = append(rs, notification.Reminder{ID: "rem_" + id, BookingID: id, Offset: 24 * time.Hour, DueAt: now, Status: notification.ReminderScheduled})
	}
	for _, r := range rs {
		must(st.ReplaceReminders(c, r.BookingID, []notification.Reminder{r}))
	}
	var wg sync.WaitGroup
	for _, svc := range svcs {
		wg.Go(func() {
			if _, err := svc.FireDueReminders(c); err != nil {
				t.Errorf("fire: %v", err)
			}
		})
	}
	wg.Wait()
	if n := len(srv.To(client)); n != 20 {
		t.Fatalf("%d reminders received by 4 instances, want each of 20 once", n)
	}
	left, err := st.Reminders(c, "")
	must(err)
	for _, r := range left {
		if r.Status != notification.ReminderSent {
			t.Fatalf("reminder %+v not sent", r)
		}
	}
}

// Queued messages (the owners') go out once across instances; a refused
// send is retried after the backoff and then sent once.
func TestQueuedMessagesSendOnceAcrossInstancesAndRetry(t *testing.T) {
	srv := smtptest.Start(t)
	c := context.Background()
	clk := newClock(time.Date(2030, 1, 14, 14, 0, 0, 0, time.UTC))
	svcs, st := instances(t, 4, srv, clk.Now)
	const n = 12
	for i := range n {
		_, err := st.QueueMessage(c, notification.QueuedMessage{
			ID: fmt.Sprintf("qmsg_%02d", i), SourceID: fmt.Sprintf("evt_%02d", i), Kind: notification.KindOwnerNewBooking,
			RecipientID: "user_owner", DueAt: clk.Now(), Status: notification.QueuedWaiting, CreatedAt: clk.Now(),
			Message: notification.Message{To: owner, ToName: "Olga", ReplyTo: client, Subject: fmt.Sprintf("New booking %d", i), Text: "x\n", HTML: "<p>x</p>"},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	srv.Refuse(true)
	if _, err := svcs[0].SendQueued(c); err != nil {
		t.Fatalf("send while refused: %v", err)
	}
	svcs[0].Close() // the failure records
	qs, err := st.QueuedMessages(c, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if q.Status != notification.QueuedWaiting || q.Attempts != 1 || !q.DueAt.After(clk.Now()) || q.LastError == "" {
			t.Fatalf("after a refused attempt: %+v, want waiting, 1 attempt, due later", q)
		}
	}
	srv.Refuse(false)
	if sent, err := svcs[1].SendQueued(c); err != nil || sent != 0 {
		t.Fatalf("before the backoff: sent %d (%v), want none", sent, err)
	}
	clk.Set(clk.Now().Add(time.Hour))
	var wg sync.WaitGroup
	for _, svc := range svcs {
		wg.Go(func() {
			if _, err := svc.SendQueued(c); err != nil {
				t.Errorf("send: %v", err)
			}
		})
	}
	wg.Wait()
	got := map[string]int{}
	for _, m := range srv.To(owner) {
		p, err := smtptest.Parse(m.Raw)
		if err != nil {
			t.Fatal(err)
		}
		got[p.Subject]++
	}
	for i := range n {
		if s := fmt.Sprintf("New booking %d", i); got[s] != 1 {
			t.Errorf("%q received %d times, want once", s, got[s])
		}
	}
	if qs, err = st.QueuedMessages(c, "user_owner"); err != nil {
		t.Fatal(err)
	}
	ds, err := st.Deliveries(c, "user_owner")
	if err != nil || len(ds) != n {
		t.Fatalf("ledger: %d rows (%v), want %d", len(ds), err, n)
	}
	for i, q := range qs {
		if q.Status != notification.QueuedSent || q.Attempts != 2 {
			t.Errorf("queued %s: %s after %d attempts, want sent after 2", q.ID, q.Status, q.Attempts)
		}
		if d := ds[i]; d.Status != notification.StatusSent || d.Attempts != 2 {
			t.Errorf("ledger row %+v, want sent on the second attempt", d)
		}
	}
}
