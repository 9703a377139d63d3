package notification_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/notification/smtptest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

const (
	client = "cleo@example.com"
	guest  = "gus@example.com"
)

var start = time.Date(2030, 1, 15, 14, 0, 0, 0, time.UTC) // 15:00 CET in Berlin

// seed publishes the business, its service and the registered client.
func seed(p publisher) {
	p.publish(event.TypeBusinessCreated, "business-service", event.BusinessCreated{
		BusinessID: "biz_1", Name: "Salon Ada", Subdomain: "ada", OwnerID: "user_owner", TimeZone: "Europe/Berlin"})
	p.publish(event.TypeServiceCreated, "business-service", event.ServiceCreated{
		ServiceID: "svc_1", BusinessID: "biz_1", Name: "Haircut", Duration: 45, Price: 30, Currency: "EUR"})
	p.publish(event.TypeUserCreated, "auth-service", event.UserCreated{
		UserID: "user_cleo", Email: client, FirstName: "Cleo", LastName: "Client", Role: "client"})
}

func booking(id, clientID string, s time.Time) event.BookingConfirmed {
	return event.BookingConfirmed{BookingID: id, BusinessID: "biz_1", ServiceID: "svc_1", ClientID: clientID, StartTime: s, EndTime: s.Add(45 * time.Minute)}
}

// checkInvite parses the message's invitation and checks its identity.
func checkInvite(t *testing.T, m smtptest.Parsed, uid string, seq int, method string, s time.Time) {
	t.Helper()
	if m.Calendar == "" {
		t.Fatalf("%q has no calendar part", m.Subject)
	}
	cal, err := smtptest.ParseICS(m.Calendar)
	if err != nil {
		t.Fatalf("%q: %v\n%s", m.Subject, err, m.Calendar)
	}
	want := map[string]string{
		"UID": uid, "SEQUENCE": fmt.Sprint(seq), "DTSTART": s.UTC().Format("20060102T150405Z"),
		"DTEND": s.Add(45 * time.Minute).UTC().Format("20060102T150405Z"),
	}
	for k, v := range want {
		if cal.Event[k] != v {
			t.Errorf("%q: %s = %q, want %q", m.Subject, k, cal.Event[k], v)
		}
	}
	if cal.Props["METHOD"] != method || cal.Props["VERSION"] != "2.0" {
		t.Errorf("%q: METHOD %q VERSION %q, want %s 2.0", m.Subject, cal.Props["METHOD"], cal.Props["VERSION"], method)
	}
	contains(t, "calendar content type", m.CalType, "text/calendar", "method="+method)
}

// checkMessage checks a message's recipient, subject and both parts.
func checkMessage(t *testing.T, m smtptest.Parsed, to, subject string, parts ...string) {
	t.Helper()
	contains(t, "To", m.To, to)
	contains(t, "subject", m.Subject, subject)
	contains(t, "text part", m.Text, parts...)
	contains(t, "html part", m.HTML, parts...)
	if m.Header.Get("Message-Id") == "" {
		t.Errorf("%q has no Message-ID", m.Subject)
	}
}

func TestEveryEventSendsItsMessage(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		srv := smtptest.Start(t)
		h := apptest.Start(t, config(t, engine, srv, nil))
		p := publisher{t: t, h: h, now: time.Now}
		seed(p)
		berlin := "Tuesday, 15 January 2030, 15:00 CET (Europe/Berlin)"

		m := awaitMessages(t, srv, client, 1)[0]
		checkMessage(t, m, client, "Welcome to SlotWise", "Hello Cleo Client")

		p.publish(event.TypeBookingCreated, "scheduling-service", event.BookingCreated{
			BookingID: "bk_1", BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_cleo", StartTime: start,
			EndTime: start.Add(45 * time.Minute), TotalAmount: 30, Currency: "EUR", RequiresPayment: true, Status: "pending"})
		m = awaitMessages(t, srv, client, 2)[1]
		checkMessage(t, m, client, "Payment needed: Haircut on "+berlin, berlin, "30.00 EUR", "Salon Ada", "bk_1")

		p.publish(event.TypePaymentFailed, "payment-service", event.PaymentFailed{
			PaymentID: "pay_1", BookingID: "bk_1", BusinessID: "biz_1", ClientID: "user_cleo", Amount: 30, Currency: "EUR", FailureReason: "card_declined"})
		m = awaitMessages(t, srv, client, 3)[2]
		checkMessage(t, m, client, "Payment failed for your booking bk_1", "30.00 EUR", "card_declined", berlin)

		p.publish(event.TypeBookingConfirmed, "scheduling-service", booking("bk_1", "user_cleo", start))
		m = awaitMessages(t, srv, client, 4)[3]
		checkMessage(t, m, client, "Confirmed: Haircut on "+berlin, berlin, "confirmed")
		checkInvite(t, m, "bk_1@slotwise", 0, "REQUEST", start)

		moved := start.Add(24*time.Hour - 5*time.Hour) // 16 Jan 09:00 UTC = 10:00 CET
		p.publish(event.TypeBookingRescheduled, "scheduling-service", event.BookingRescheduled{
			BookingID: "bk_1", BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_cleo", PreviousStartTime: start,
			PreviousEndTime: start.Add(45 * time.Minute), StartTime: moved, EndTime: moved.Add(45 * time.Minute)})
		m = awaitMessages(t, srv, client, 5)[4]
		checkMessage(t, m, client, "Rescheduled: Haircut now on Wednesday, 16 January 2030, 10:00 CET (Europe/Berlin)",
			"Wednesday, 16 January 2030, 10:00 CET (Europe/Berlin)", berlin)
		checkInvite(t, m, "bk_1@slotwise", 1, "REQUEST", moved)

		p.publish(event.TypeBookingCancelled, "scheduling-service", event.BookingCancelled{
			BookingID: "bk_1", BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_cleo", StartTime: moved,
			EndTime: moved.Add(45 * time.Minute), Reason: "client request"})
		m = awaitMessages(t, srv, client, 6)[5]
		checkMessage(t, m, client, "Cancelled: Haircut", "Wednesday, 16 January 2030, 10:00 CET (Europe/Berlin)", "client request")
		checkInvite(t, m, "bk_1@slotwise", 2, "CANCEL", moved)

		p.publish(event.TypePaymentRefunded, "payment-service", event.PaymentRefunded{
			PaymentID: "pay_1", RefundID: "re_1", BookingID: "bk_1", BusinessID: "biz_1", ClientID: "user_cleo", Amount: 30, Currency: "EUR"})
		m = awaitMessages(t, srv, client, 7)[6]
		checkMessage(t, m, client, "Refund of 30.00 EUR for booking bk_1", "30.00 EUR")

		// A guest, in their own zone; the hold expires.
		gs := time.Date(2030, 1, 20, 15, 0, 0, 0, time.UTC)
		newYork := "Sunday, 20 January 2030, 10:00 EST (America/New_York)"
		p.publish(event.TypeBookingCreated, "scheduling-service", event.BookingCreated{
			BookingID: "bk_2", BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "guest_1", StartTime: gs,
			EndTime: gs.Add(45 * time.Minute), TotalAmount: 30, Currency: "EUR", RequiresPayment: false,
			ClientName: "Gus Guest", ClientEmail: guest, ClientTimeZone: "America/New_York"})
		m = awaitMessages(t, srv, guest, 1)[0]
		checkMessage(t, m, guest, "Booking received: Haircut on "+newYork, newYork, "Hello Gus Guest")
		p.publish(event.TypeBookingExpired, "scheduling-service", event.BookingExpired{
			BookingID: "bk_2", BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "guest_1", StartTime: gs, EndTime: gs.Add(45 * time.Minute)})
		m = awaitMessages(t, srv, guest, 2)[1]
		checkMessage(t, m, guest, "Expired: Haircut on "+newYork, newYork)
		checkInvite(t, m, "bk_2@slotwise", 1, "CANCEL", gs)

		apptest.WaitFor(t, "notification.sent for every message", func() bool {
			return len(eventsOf(t, h, event.TypeNotificationSent)) == 9
		})
		ds, err := store(t, h).Deliveries(ctx(), "user_cleo")
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 7 {
			t.Fatalf("ledger of user_cleo: %d rows, want 7", len(ds))
		}
		for _, d := range ds {
			if d.Status != notification.StatusSent || d.Attempts != 1 || d.ProviderMessageID == "" || d.Key.Recipient != client {
				t.Errorf("ledger row %+v: want sent once with a provider id", d)
			}
		}
	})
}

func TestRefusingServerDeadLettersAndRedriveSendsOnce(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		srv := smtptest.Start(t)
		cfg := config(t, engine, srv, nil)
		h := apptest.Start(t, cfg)
		p := publisher{t: t, h: h, now: time.Now}
		srv.Refuse(true)
		p.publish(event.TypeUserCreated, "auth-service", event.UserCreated{UserID: "user_cleo", Email: client, FirstName: "Cleo", Role: "client"})

		dlq := eventbus.NewDLQ(h.JS)
		apptest.WaitFor(t, "the event in the DLQ", func() bool {
			n, err := dlq.Count(ctx())
			return err == nil && n == 1
		})
		if got := srv.Refused(); got != cfg.RetryAttempts {
			t.Fatalf("refused %d times, want one per attempt (%d)", got, cfg.RetryAttempts)
		}
		gaps := srv.RefusalGaps()
		policy := eventbus.RetryPolicy{Attempts: cfg.RetryAttempts, BaseDelay: cfg.RetryBaseDelay, MaxDelay: cfg.RetryMaxDelay}
		for i, g := range gaps {
			if want := policy.Delay(i + 1); g < want-2*time.Millisecond {
				t.Errorf("retry %d came after %s, want at least the backoff %s", i+1, g, want)
			}
		}
		apptest.WaitFor(t, "notification.failed", func() bool { return len(eventsOf(t, h, event.TypeNotificationFailed)) == 1 })
		st := store(t, h)
		apptest.WaitFor(t, "the failure in the ledger", func() bool {
			ds, err := st.Deliveries(ctx(), "user_cleo")
			return err == nil && len(ds) == 1 && ds[0].Status == notification.StatusFailed && ds[0].Attempts == cfg.RetryAttempts
		})
		if n := len(srv.Messages()); n != 0 {
			t.Fatalf("%d messages accepted while refusing", n)
		}

		srv.Refuse(false)
		if _, err := dlq.RedriveAll(ctx()); err != nil {
			t.Fatal(err)
		}
		awaitMessages(t, srv, client, 1)
		eventbustest.AwaitSettled(t, h.JS, eventbus.DLQStream, "notification-events-redrive")
		apptest.WaitFor(t, "notification.sent", func() bool { return len(eventsOf(t, h, event.TypeNotificationSent)) == 1 })
		awaitMessages(t, srv, client, 1)
		ds, err := st.Deliveries(ctx(), "user_cleo")
		if err != nil || len(ds) != 1 || ds[0].Status != notification.StatusSent {
			t.Fatalf("ledger after redrive: %+v, %v; want one sent row", ds, err)
		}
	})
}

func TestSameEventThreeTimesSendsOneMessage(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		srv := smtptest.Start(t)
		h := apptest.Start(t, config(t, engine, srv, nil))
		ev, err := event.New(time.Now(), event.TypeUserCreated, "1.0", "auth-service", event.NewCorrelationID(),
			event.UserCreated{UserID: "user_cleo", Email: client, FirstName: "Cleo", Role: "client"})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 { // past JetStream's de-duplication: three deliveries
			eventbustest.PublishEnvelope(t, h.JS, ev, fmt.Sprintf("dup-%d", i), "")
		}
		awaitMessages(t, srv, client, 1)
		eventbustest.AwaitSettled(t, h.JS, eventbus.EventStream, "notification-events")
		if info := eventbustest.ConsumerInfo(t, h.JS, eventbus.EventStream, "notification-events"); info.Delivered.Stream < 3 {
			t.Fatalf("consumer saw %d messages, want 3", info.Delivered.Stream)
		}
		awaitMessages(t, srv, client, 1)
	})
}
