package notification_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/notification/smtptest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// reminders returns the subjects of the reminders addr received.
func reminders(srv *smtptest.Server, addr string) []string {
	var out []string
	for _, m := range srv.To(addr) {
		p, err := smtptest.Parse(m.Raw)
		if err == nil && strings.HasPrefix(p.Subject, "Reminder:") {
			out = append(out, p.Subject)
		}
	}
	return out
}

func scheduled(t *testing.T, st notification.Store, bookingID string) []time.Time {
	t.Helper()
	rs, err := st.Reminders(context.Background(), bookingID)
	if err != nil {
		t.Fatal(err)
	}
	var out []time.Time
	for _, r := range rs {
		if r.Status == notification.ReminderScheduled {
			out = append(out, r.DueAt)
		}
	}
	return out
}

func TestRemindersFireOnceAtTheirInstants(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		srv := smtptest.Start(t)
		clk := newClock(time.Date(2030, 1, 10, 12, 0, 0, 0, time.UTC))
		cfg := config(t, engine, srv, clk)
		h := apptest.Start(t, cfg)
		p := publisher{t: t, h: h, now: clk.Now}
		seed(p)
		awaitMessages(t, srv, client, 1) // welcome
		st := store(t, h)
		wait := func(bookingID string, n int) {
			apptest.WaitFor(t, "reminders of "+bookingID, func() bool { return len(scheduled(t, st, bookingID)) == n })
		}

		// Confirm: reminders 24 h and 1 h before.
		p.publish(event.TypeBookingConfirmed, "scheduling-service", booking("bk_1", "user_cleo", start))
		// Reschedule another booking: its reminders move.
		first := start.Add(2 * time.Hour)
		moved := start.Add(26 * time.Hour)
		p.publish(event.TypeBookingConfirmed, "scheduling-service", booking("bk_2", "user_cleo", first))
		p.publish(event.TypeBookingRescheduled, "scheduling-service", event.BookingRescheduled{
			BookingID: "bk_2", BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_cleo", PreviousStartTime: first,
			PreviousEndTime: first.Add(45 * time.Minute), StartTime: moved, EndTime: moved.Add(45 * time.Minute)})
		// Cancel a third: none fire.
		p.publish(event.TypeBookingConfirmed, "scheduling-service", booking("bk_3", "user_cleo", start))
		p.publish(event.TypeBookingCancelled, "scheduling-service", event.BookingCancelled{
			BookingID: "bk_3", BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_cleo", StartTime: start,
			EndTime: start.Add(45 * time.Minute), Reason: "x"})
		awaitMessages(t, srv, client, 6) // welcome, 3 confirmations, rescheduled, cancelled
		wait("bk_1", 2)
		wait("bk_2", 2)
		wait("bk_3", 0)
		if got := scheduled(t, st, "bk_2"); !got[0].Equal(moved.Add(-24*time.Hour)) || !got[1].Equal(moved.Add(-time.Hour)) {
			t.Fatalf("bk_2 reminders at %v, want 24 h and 1 h before %v", got, moved)
		}

		poll := 10 * cfg.RelayInterval
		clk.Set(start.Add(-24*time.Hour - time.Second))
		never(t, poll, "a reminder before its time", func() bool { return len(reminders(srv, client)) > 0 })
		clk.Set(start.Add(-24 * time.Hour)) // bk_1's 24 h (bk_3's would be too)
		apptest.WaitFor(t, "the 24 h reminder", func() bool { return len(reminders(srv, client)) == 1 })
		never(t, poll, "a second reminder", func() bool { return len(reminders(srv, client)) > 1 })
		if got := reminders(srv, client)[0]; !strings.Contains(got, "in 24 hours") || !strings.Contains(got, "15:00 CET (Europe/Berlin)") {
			t.Fatalf("reminder subject %q", got)
		}

		// Restart between the reminders: the schedule survives.
		if err := h.App.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Set(start.Add(-time.Hour)) // bk_1's 1 h; bk_2's old 1 h would be start+1h
		h = apptest.Start(t, cfg)
		apptest.WaitFor(t, "the 1 h reminder", func() bool { return len(reminders(srv, client)) == 2 })
		clk.Set(first.Add(-time.Hour)) // bk_2's reminders before the move: gone
		never(t, poll, "a moved reminder at its old time", func() bool { return len(reminders(srv, client)) > 2 })
		clk.Set(moved.Add(-time.Hour)) // both of bk_2's new reminders are due
		apptest.WaitFor(t, "the moved reminders", func() bool { return len(reminders(srv, client)) == 4 })
		never(t, poll, "another reminder", func() bool { return len(reminders(srv, client)) > 4 })
		if got := reminders(srv, client)[3]; !strings.Contains(got, "in 1 hour") || !strings.Contains(got, "16 January 2030, 17:00 CET") {
			t.Fatalf("moved reminder subject %q", got)
		}
		apptest.WaitFor(t, "reminder notification.sent", func() bool {
			n := 0
			for _, ev := range eventsOf(t, h, event.TypeNotificationSent) {
				if d, err := event.DataAs[event.NotificationSent](ev); err == nil && d.Type == notification.KindReminder {
					n++
				}
			}
			return n == 4
		})
	})
}
