package notification_test

import (
	"context"
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

// Several instances on one PostgreSQL database fire each reminder once.
func TestRemindersFireOnceAcrossInstances(t *testing.T) {
	srv := smtptest.Start(t)
	url := sqldbtest.URL(t, sqldb.Postgres)
	c := context.Background()
	now := time.Date(2030, 1, 14, 14, 0, 0, 0, time.UTC)
	var svcs []*notification.Service
	for i := range 4 {
		db, err := sqldb.Open(c, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
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
		svc, err := notification.NewService(sqlstore.New(db), ob, sender, notification.Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, svc)
	}
	st := sqlstore.New(func() *sqldb.DB {
		db, err := sqldb.Open(c, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}())
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
