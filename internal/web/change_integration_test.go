package web_test

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestNoteMoveAndRefundOnTheRealServices: on the real services a booking's
// note reaches its manage page (whose business is found by id); the
// 60-minute booking at 10:00 moves to 10:30 through the reschedule
// picker, which the public picker does not offer; once paid, the cancel
// page states the payment service's refund and policy.
func TestNoteMoveAndRefundOnTheRealServices(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		s := startStudio(t, engine)
		const day = "2030-01-08" // Tuesday; the App's clock is Monday 08:00 Berlin
		const at1030 = `aria-label="10:30 CET, Tuesday 8 January 2030"`
		book := s.servicePath(s.paidID) + "/book"
		form := s.web.get(t, book+"?start=2030-01-08T09%3A00%3A00Z&tz=Europe%2FBerlin")
		form.want(t, 200, "Tuesday 8 January 2030, 10:00–11:00 CET")
		res := s.web.submit(t, form, book, url.Values{"name": {"Nora Note"}, "email": {"nora@example.com"},
			"note": {"Ring twice.\r\n<b>Thanks</b>"}})
		res.want(t, 303)
		loc, err := url.Parse(res.header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		manage := loc.Path
		s.web.get(t, manage).want(t, 200, "<dt>Your note</dt><dd>Ring twice.<br>&lt;b&gt;Thanks&lt;/b&gt;</dd>",
			`<a href="/b/`+s.sub+`">`+html.EscapeString(hostileBusiness)+`</a>`)

		if public := s.web.get(t, s.servicePath(s.paidID)+"?day="+day+"&tz=Europe/Berlin"); public.has(at1030) {
			t.Errorf("the public picker offers 10:30, which overlaps the booking:\n%s", public.body)
		}
		picker := s.web.get(t, manage+"/reschedule?day="+day+"&tz=Europe/Berlin")
		picker.want(t, 200, at1030)
		confirm := s.web.get(t, picker.link(t, `[^"]*/reschedule\?start=2030-01-08T09%3A30%3A00Z`))
		confirm.want(t, 200, "<strong>Tuesday 8 January 2030, 10:30–11:30 CET</strong>")
		res = s.web.submit(t, confirm, manage+"/reschedule", nil)
		res.want(t, 303)
		s.web.get(t, res.header.Get("Location")).want(t, 200, "Your booking has been moved.", "Tuesday 8 January 2030, 10:30–11:30 CET")

		var page *answer
		apptest.WaitFor(t, "the card form", func() bool {
			page = s.web.get(t, manage)
			return page.has(`name="card"`)
		})
		s.web.submit(t, page, manage+"/pay", url.Values{"card": {"4242 4242 4242 4242"}}).want(t, 303)
		apptest.WaitFor(t, "the booking to be confirmed", func() bool { return s.web.get(t, manage).has(">Confirmed<") })
		cancel := s.web.get(t, manage+"/cancel")
		cancel.want(t, 200, "If you cancel now, you get a full refund of €50.00.",
			"Cancellations at least 24 hours before the start are refunded in full; later ones are not refunded.")
		if strings.Contains(cancel.body, "haven&#39;t paid") {
			t.Errorf("a paid booking's cancel page says it is unpaid:\n%s", cancel.body)
		}
	})
}
