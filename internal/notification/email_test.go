package notification_test

import (
	"fmt"
	"html/template"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/managetoken"
	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/notification/smtptest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

const (
	client = "cleo@example.com"
	guest  = "gus@example.com"
	owner  = "olga@example.com"
	sender = "no-reply@slotwise.test"
)

var start = time.Date(2030, 1, 15, 14, 0, 0, 0, time.UTC) // 15:00 CET in Berlin

// seed publishes the business (with an address), its owner, its service
// and the registered client.
func seed(p publisher) {
	p.publish(event.TypeUserCreated, "auth-service", event.UserCreated{
		UserID: "user_owner", Email: owner, FirstName: "Olga", LastName: "Owner", Role: "owner"})
	p.publish(event.TypeBusinessCreated, "business-service", event.BusinessCreated{
		BusinessID: "biz_1", Name: "Salon Ada", Subdomain: "ada", OwnerID: "user_owner", TimeZone: "Europe/Berlin",
		Address: "Hauptstraße 1\n10115 Berlin"})
	p.publish(event.TypeServiceCreated, "business-service", event.ServiceCreated{
		ServiceID: "svc_1", BusinessID: "biz_1", Name: "Haircut", Duration: 45, Price: 30, Currency: "EUR"})
	p.publish(event.TypeUserCreated, "auth-service", event.UserCreated{
		UserID: "user_cleo", Email: client, FirstName: "Cleo", LastName: "Client", Role: "client"})
}

func booking(id, clientID string, s time.Time) event.BookingConfirmed {
	return event.BookingConfirmed{BookingID: id, BusinessID: "biz_1", ServiceID: "svc_1", ClientID: clientID, StartTime: s, EndTime: s.Add(45 * time.Minute)}
}

// links computes the links the messages must carry: the manage token is
// derived from the booking id with the App's link key.
type links struct {
	base string
	key  []byte
}

func linksOf(t *testing.T, h *apptest.Harness) links {
	t.Helper()
	ks, err := authn.LoadOrCreateKeySet(h.Config.JWTKeysPath())
	if err != nil {
		t.Fatal(err)
	}
	return links{base: h.App.PublicURL(), key: ks.LinkKey()}
}

func (l links) manage(id string) string    { return l.base + "/m/" + managetoken.For(l.key, id) }
func (l links) pay(id string) string       { return l.manage(id) + "/pay" }
func (l links) dashboard(id string) string { return l.base + "/app/bookings/" + id }

// checkInvite parses the message's invitation and checks its identity,
// its links, place, organizer and alarm (the alarm only on a REQUEST).
func checkInvite(t *testing.T, m smtptest.Parsed, uid string, seq int, method string, s time.Time, manage string) {
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
		"URL":   manage, "LOCATION": `Hauptstraße 1\, 10115 Berlin`, "ORGANIZER": "mailto:" + sender,
	}
	for k, v := range want {
		if cal.Event[k] != v {
			t.Errorf("%q: %s = %q, want %q", m.Subject, k, cal.Event[k], v)
		}
	}
	contains(t, "DESCRIPTION", cal.Event["DESCRIPTION"], manage, "Haircut at Salon Ada")
	if cal.Params["ORGANIZER"] != `CN="Salon Ada"` {
		t.Errorf("%q: ORGANIZER parameters %q, want CN=\"Salon Ada\"", m.Subject, cal.Params["ORGANIZER"])
	}
	if cal.Props["METHOD"] != method || cal.Props["VERSION"] != "2.0" {
		t.Errorf("%q: METHOD %q VERSION %q, want %s 2.0", m.Subject, cal.Props["METHOD"], cal.Props["VERSION"], method)
	}
	wantAlarm := map[string]string{}
	if method == "REQUEST" {
		wantAlarm = map[string]string{"ACTION": "DISPLAY", "TRIGGER": "-PT60M", "DESCRIPTION": "Haircut – Salon Ada"}
	}
	if !reflect.DeepEqual(cal.Alarm, wantAlarm) {
		t.Errorf("%q: VALARM %v, want %v", m.Subject, cal.Alarm, wantAlarm)
	}
	contains(t, "calendar content type", m.CalType, "text/calendar", "method="+method)
}

// checkMessage checks a message's recipient, subject and both parts, and
// that no internal code or id reaches the reader.
func checkMessage(t *testing.T, m smtptest.Parsed, to, subject string, parts ...string) {
	t.Helper()
	contains(t, "To", m.To, to)
	contains(t, "subject", m.Subject, subject)
	contains(t, "text part", m.Text, parts...)
	contains(t, "html part", m.HTML, parts...)
	if m.Header.Get("Message-Id") == "" {
		t.Errorf("%q has no Message-ID", m.Subject)
	}
	noCodes(t, m)
}

// internalCodes must never reach a reader.
var internalCodes = []string{"booking_", "guest_", "card_declined", "insufficient_funds", "payment_failed", "user_"}

// dashboardPath is the path of the owner's dashboard links, which name
// the booking.
var dashboardPath = regexp.MustCompile(`/app/bookings/[A-Za-z0-9_]+`)

// noCodes fails when the subject or a part shows an internal code or id
// (outside the owner's dashboard links).
func noCodes(t *testing.T, m smtptest.Parsed) {
	t.Helper()
	for what, text := range map[string]string{"subject": m.Subject, "text part": m.Text, "html part": m.HTML} {
		text = dashboardPath.ReplaceAllString(text, "")
		for _, c := range internalCodes {
			if strings.Contains(text, c) {
				t.Errorf("%q: %s shows the internal %q:\n%s", m.Subject, what, c, text)
			}
		}
	}
}

// checkLink fails unless url is written out in the text part and is a
// link of the HTML part.
func checkLink(t *testing.T, m smtptest.Parsed, url string) {
	t.Helper()
	contains(t, "text part", m.Text, url)
	contains(t, "html part", m.HTML, `href="`+url+`"`)
}

// checkFrom checks the From display name and address and the Reply-To.
func checkFrom(t *testing.T, m smtptest.Parsed, fromName, replyName, replyTo string) {
	t.Helper()
	from, err := m.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != fromName || from[0].Address != sender {
		t.Errorf("%q: From %v (%v), want %q <%s>", m.Subject, from, err, fromName, sender)
	}
	if replyTo == "" {
		if rt := m.Header.Get("Reply-To"); rt != "" {
			t.Errorf("%q: Reply-To %q, want none", m.Subject, rt)
		}
		return
	}
	rt, err := m.Header.AddressList("Reply-To")
	if err != nil || len(rt) != 1 || rt[0].Name != replyName || rt[0].Address != replyTo {
		t.Errorf("%q: Reply-To %v (%v), want %q <%s>", m.Subject, rt, err, replyName, replyTo)
	}
}

func TestEveryEventSendsItsMessage(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		srv := smtptest.Start(t)
		h := apptest.Start(t, config(t, engine, srv, nil))
		p := publisher{t: t, h: h, now: time.Now}
		l := linksOf(t, h)
		seed(p)
		berlin := "Tuesday, 15 January 2030, 15:00 CET (Europe/Berlin)"
		const bk = "booking_01J0000000000000000000CLEO"

		m := awaitMessages(t, srv, client, 1)[0]
		checkMessage(t, m, client, "Welcome to SlotWise", "Hello Cleo Client")
		checkFrom(t, m, "SlotWise", "", "")

		hold := time.Now().Add(15 * time.Minute).UTC().Truncate(time.Second)
		deadline := notification.LocalTime(hold, notification.Zone("Europe/Berlin"))
		p.publish(event.TypeBookingCreated, "scheduling-service", event.BookingCreated{
			BookingID: bk, BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_cleo", StartTime: start,
			EndTime: start.Add(45 * time.Minute), TotalAmount: 30, Currency: "EUR", RequiresPayment: true, Status: "pending", HoldUntil: hold,
			Note: "Second floor.\nPlease <b>ring</b> twice."})
		m = awaitMessages(t, srv, client, 2)[1]
		checkMessage(t, m, client, "Payment needed: Haircut on "+berlin, berlin, "30.00 EUR", "Salon Ada", "Pay now",
			"Please pay by", deadline, "Hauptstraße 1", "10115 Berlin")
		checkLink(t, m, l.pay(bk))
		checkLink(t, m, l.manage(bk))
		checkFrom(t, m, "Salon Ada", "Salon Ada", owner)
		if m.Calendar != "" {
			t.Errorf("payment needed carries a calendar part:\n%s", m.Calendar)
		}

		p.publish(event.TypePaymentFailed, "payment-service", event.PaymentFailed{
			PaymentID: "pay_1", BookingID: bk, BusinessID: "biz_1", ClientID: "user_cleo", Amount: 30, Currency: "EUR", FailureReason: "card_declined"})
		m = awaitMessages(t, srv, client, 3)[2]
		checkMessage(t, m, client, "Payment failed: Haircut on "+berlin, "30.00 EUR", "Your card was declined.",
			"try again until", deadline, berlin)
		checkLink(t, m, l.pay(bk))
		p.publish(event.TypePaymentFailed, "payment-service", event.PaymentFailed{
			PaymentID: "pay_2", BookingID: bk, BusinessID: "biz_1", ClientID: "user_cleo", Amount: 30, Currency: "EUR", FailureReason: "insufficient_funds"})
		m = awaitMessages(t, srv, client, 4)[3]
		checkMessage(t, m, client, "Payment failed", "Your card has insufficient funds.", "try again until")

		p.publish(event.TypeBookingConfirmed, "scheduling-service", booking(bk, "user_cleo", start))
		m = awaitMessages(t, srv, client, 5)[4]
		checkMessage(t, m, client, "Confirmed: Haircut on "+berlin, berlin, "confirmed", "Manage booking")
		checkLink(t, m, l.manage(bk))
		checkFrom(t, m, "Salon Ada", "Salon Ada", owner)
		checkInvite(t, m, bk+"@slotwise", 0, "REQUEST", start, l.manage(bk))
		// The owner hears of the new booking once it is confirmed (paid).
		o := awaitMessages(t, srv, owner, 2)[1]
		checkMessage(t, o, owner, "New booking: Haircut on "+berlin+", Cleo Client", "Cleo Client", client, berlin, "30.00 EUR", "Open booking")
		// With the client's note: text lines, escaped HTML lines.
		contains(t, "owner text", strings.ReplaceAll(o.Text, "\r\n", "\n"), "Note from Cleo Client:\n  Second floor.\n  Please <b>ring</b> twice.\n")
		contains(t, "owner html", o.HTML, "Note from Cleo Client</p>", "Second floor.<br>Please &lt;b&gt;ring&lt;/b&gt; twice.</p>")
		checkLink(t, o, l.dashboard(bk))
		checkFrom(t, o, "SlotWise", "Cleo Client", client)

		moved := start.Add(24*time.Hour - 5*time.Hour) // 16 Jan 09:00 UTC = 10:00 CET
		movedBerlin := "Wednesday, 16 January 2030, 10:00 CET (Europe/Berlin)"
		p.publish(event.TypeBookingRescheduled, "scheduling-service", event.BookingRescheduled{
			BookingID: bk, BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_cleo", PreviousStartTime: start,
			PreviousEndTime: start.Add(45 * time.Minute), StartTime: moved, EndTime: moved.Add(45 * time.Minute)})
		m = awaitMessages(t, srv, client, 6)[5]
		checkMessage(t, m, client, "Rescheduled: Haircut now on "+movedBerlin, movedBerlin, berlin)
		checkLink(t, m, l.manage(bk))
		checkInvite(t, m, bk+"@slotwise", 1, "REQUEST", moved, l.manage(bk))
		o = awaitMessages(t, srv, owner, 3)[2]
		checkMessage(t, o, owner, "Booking moved: Haircut now on "+movedBerlin, movedBerlin, berlin, "Cleo Client")
		checkLink(t, o, l.dashboard(bk))

		p.publish(event.TypeBookingCancelled, "scheduling-service", event.BookingCancelled{
			BookingID: bk, BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "user_cleo", StartTime: moved,
			EndTime: moved.Add(45 * time.Minute), Reason: "client request", CancelledBy: "user_cleo"})
		m = awaitMessages(t, srv, client, 7)[6]
		checkMessage(t, m, client, "Cancelled: Haircut", movedBerlin, "client request", "cancelled by you", "Book again")
		checkLink(t, m, l.base+"/b/ada")
		checkLink(t, m, l.manage(bk))
		checkInvite(t, m, bk+"@slotwise", 2, "CANCEL", moved, l.manage(bk))
		o = awaitMessages(t, srv, owner, 4)[3]
		checkMessage(t, o, owner, "Booking cancelled: Haircut", movedBerlin, "cancelled by the client", "client request")
		checkLink(t, o, l.dashboard(bk))

		p.publish(event.TypePaymentRefunded, "payment-service", event.PaymentRefunded{
			PaymentID: "pay_1", RefundID: "re_1", BookingID: bk, BusinessID: "biz_1", ClientID: "user_cleo", Amount: 30, Currency: "EUR",
			Reason: "booking_cancelled"})
		m = awaitMessages(t, srv, client, 8)[7]
		checkMessage(t, m, client, "Refund of 30.00 EUR", "30.00 EUR", "The booking was cancelled.")
		checkLink(t, m, l.manage(bk))

		apptest.WaitFor(t, "notification.sent for every message", func() bool {
			return len(eventsOf(t, h, event.TypeNotificationSent)) == 12
		})
		ds, err := store(t, h).Deliveries(ctx(), "user_cleo")
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 8 {
			t.Fatalf("ledger of user_cleo: %d rows, want 8", len(ds))
		}
		for _, d := range ds {
			if d.Status != notification.StatusSent || d.Attempts != 1 || d.ProviderMessageID == "" || d.Key.Recipient != client {
				t.Errorf("ledger row %+v: want sent once with a provider id", d)
			}
		}
		qs, err := store(t, h).QueuedMessages(ctx(), "user_owner")
		if err != nil || len(qs) != 3 {
			t.Fatalf("owner's queue: %d, %v; want 3 messages", len(qs), err)
		}
		for _, q := range qs {
			if q.Status != notification.QueuedSent || q.Attempts != 1 {
				t.Errorf("queued %s: %s after %d attempts, want sent after 1", q.ID, q.Status, q.Attempts)
			}
		}
	})
}

// A booking that never was confirmed gets no invitation and so no
// METHOD:CANCEL when it expires or is cancelled, and the owner never
// hears of it; the guest reads times in their zone and the business's.
func TestUnconfirmedBookingsEndWithoutCalendarOrOwner(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		srv := smtptest.Start(t)
		h := apptest.Start(t, config(t, engine, srv, nil))
		p := publisher{t: t, h: h, now: time.Now}
		l := linksOf(t, h)
		seed(p)
		awaitMessages(t, srv, owner, 1) // the owner's welcome

		gs := time.Date(2030, 1, 20, 15, 0, 0, 0, time.UTC)
		newYork := "Sunday, 20 January 2030, 10:00 EST (America/New_York)"
		atBusiness := "Sunday, 20 January 2030, 16:00 CET (Europe/Berlin) at the business"
		hold := time.Now().Add(10 * time.Minute).UTC().Truncate(time.Second)
		created := func(id, name, email string) {
			p.publish(event.TypeBookingCreated, "scheduling-service", event.BookingCreated{
				BookingID: id, BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "guest_" + id[8:], StartTime: gs,
				EndTime: gs.Add(45 * time.Minute), TotalAmount: 30, Currency: "EUR", RequiresPayment: true, Status: "pending",
				HoldUntil: hold, ClientName: name, ClientEmail: email, ClientTimeZone: "America/New_York"})
		}
		const gus, gia = "booking_01J00000000000000000000GUS", "booking_01J00000000000000000000GIA"
		created(gus, "Gus Guest", guest)
		m := awaitMessages(t, srv, guest, 1)[0]
		checkMessage(t, m, guest, "Payment needed: Haircut on "+newYork, newYork, atBusiness, "Hello Gus Guest",
			notification.LocalTime(hold, notification.Zone("America/New_York")))
		checkLink(t, m, l.pay(gus))

		p.publish(event.TypeBookingExpired, "scheduling-service", event.BookingExpired{
			BookingID: gus, BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "guest_" + gus[8:], StartTime: gs, EndTime: gs.Add(45 * time.Minute)})
		m = awaitMessages(t, srv, guest, 2)[1]
		checkMessage(t, m, guest, "Expired: Haircut on "+newYork, newYork, "expired because it was not paid in time", "Book again")
		checkLink(t, m, l.base+"/b/ada")
		checkLink(t, m, l.manage(gus))
		if m.Calendar != "" {
			t.Errorf("the expiry of a booking never confirmed carries a calendar part:\n%s", m.Calendar)
		}
		// A declined payment after the hold ended offers no retry.
		p.publish(event.TypePaymentFailed, "payment-service", event.PaymentFailed{
			PaymentID: "pay_9", BookingID: gus, BusinessID: "biz_1", ClientID: "guest_" + gus[8:], Amount: 30, Currency: "EUR", FailureReason: "do_not_honor"})
		m = awaitMessages(t, srv, guest, 3)[2]
		checkMessage(t, m, guest, "Payment failed", "Your card was declined.", "no longer held")
		if strings.Contains(m.Text, "/pay") || strings.Contains(m.Text, "try again") {
			t.Errorf("a payment failure after the expiry offers a retry:\n%s", m.Text)
		}

		const giaMail = "gia@example.com"
		created(gia, "Gia Guest", giaMail)
		awaitMessages(t, srv, giaMail, 1)
		p.publish(event.TypeBookingCancelled, "scheduling-service", event.BookingCancelled{
			BookingID: gia, BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "guest_" + gia[8:], StartTime: gs,
			EndTime: gs.Add(45 * time.Minute), Reason: "changed_plans_code", CancelledBy: "guest_" + gia[8:]})
		m = awaitMessages(t, srv, giaMail, 2)[1]
		checkMessage(t, m, giaMail, "Cancelled: Haircut", newYork, "cancelled by you")
		if m.Calendar != "" || strings.Contains(m.Text, "Reason") {
			t.Errorf("the cancellation of a pending booking carries a calendar part or shows a code as reason:\n%s\n%s", m.Text, m.Calendar)
		}

		apptest.WaitFor(t, "notification.sent for every message", func() bool {
			return len(eventsOf(t, h, event.TypeNotificationSent)) == 7
		})
		if n := len(srv.To(owner)); n != 1 {
			t.Fatalf("the owner received %d messages, want only the welcome", n)
		}
	})
}

// Hostile and unusual names stay text: escaped in the HTML part, quoted
// or encoded in the address headers, and the message is still sent.
func TestHostileNamesStayText(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		srv := smtptest.Start(t)
		h := apptest.Start(t, config(t, engine, srv, nil))
		p := publisher{t: t, h: h, now: time.Now}
		bizName := `Café "Zoë", <b>Ada</b> & Co`
		p.publish(event.TypeUserCreated, "auth-service", event.UserCreated{
			UserID: "user_owner", Email: owner, FirstName: `O"lga`, LastName: "Ünal, Jr.", Role: "owner"})
		p.publish(event.TypeBusinessCreated, "business-service", event.BusinessCreated{
			BusinessID: "biz_1", Name: bizName, Subdomain: "ada", OwnerID: "user_owner", TimeZone: "Europe/Berlin"})
		p.publish(event.TypeServiceCreated, "business-service", event.ServiceCreated{
			ServiceID: "svc_1", BusinessID: "biz_1", Name: "Cut <i>&</i> dry", Duration: 45, Price: 0, Currency: "EUR"})
		cases := []struct{ id, name, email string }{
			{"booking_01J000000000000000000SCRIPT", "<script>alert(1)</script>", "script@example.com"},
			{"booking_01J0000000000000000000QUOTE", `Quote" Name`, "quote@example.com"},
		}
		for i, c := range cases {
			s := start.Add(time.Duration(i) * time.Hour)
			p.publish(event.TypeBookingCreated, "scheduling-service", event.BookingCreated{
				BookingID: c.id, BusinessID: "biz_1", ServiceID: "svc_1", ClientID: "guest_" + c.id[8:], StartTime: s,
				EndTime: s.Add(45 * time.Minute), Currency: "EUR", Status: "confirmed", ClientName: c.name, ClientEmail: c.email})
			p.publish(event.TypeBookingConfirmed, "scheduling-service", booking(c.id, "guest_"+c.id[8:], s))
		}
		for _, c := range cases {
			m := awaitMessages(t, srv, c.email, 1)[0]
			checkMessage(t, m, c.email, "Confirmed: Cut <i>&</i> dry", "Free")
			to, err := m.Header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Name != c.name || to[0].Address != c.email {
				t.Errorf("To %v (%v), want %q <%s>", to, err, c.name, c.email)
			}
			checkFrom(t, m, bizName, bizName, owner)
			contains(t, "html part", m.HTML, template.HTMLEscapeString(c.name), template.HTMLEscapeString(bizName),
				"Cut &lt;i&gt;&amp;&lt;/i&gt; dry")
			for _, raw := range []string{c.name, "<b>Ada</b>", "<i>&</i>"} {
				if strings.Contains(m.HTML, raw) {
					t.Errorf("html part holds %q unescaped:\n%s", raw, m.HTML)
				}
			}
			contains(t, "text part", m.Text, c.name, bizName)
			cal, err := smtptest.ParseICS(m.Calendar)
			if err != nil {
				t.Fatalf("%v\n%s", err, m.Calendar)
			}
			if !strings.HasPrefix(cal.Params["ORGANIZER"], `CN="Café Zoë`) || strings.Count(cal.Params["ATTENDEE"], `"`) != 2 {
				t.Errorf("ORGANIZER %q ATTENDEE %q: names must be one quoted value each", cal.Params["ORGANIZER"], cal.Params["ATTENDEE"])
			}
		}
		os := awaitMessages(t, srv, owner, 3)[1:]
		for i, o := range os {
			c := cases[i]
			if !strings.Contains(o.Subject, c.name) {
				o, c = os[1-i], cases[1-i] // the queue may send them in either order
			}
			contains(t, "owner subject", o.Subject, "New booking", c.name)
			contains(t, "owner html", o.HTML, template.HTMLEscapeString(c.name))
			if strings.Contains(o.HTML, c.name) {
				t.Errorf("owner html part holds %q unescaped", c.name)
			}
			to, err := o.Header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Name != `O"lga Ünal, Jr.` {
				t.Errorf("owner To %v (%v)", to, err)
			}
			checkFrom(t, o, "SlotWise", c.name, c.email)
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
