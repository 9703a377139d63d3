package browsertest

import (
	"net/url"
	"strings"
	"testing"
)

// (d) The link to the booking's page from the confirmation e-mail: move
// the booking to another time, then cancel it, the refund stated before
// the guest confirms.
func TestManageLinkFromEmailRescheduleAndCancel(t *testing.T) {
	s := startSite(t)
	b := newBrowser(t, true)
	days := weekdays(4)
	day, other := days[1], days[3]
	g := guest{Name: "Dorothy Vaughan", Email: "dorothy.manage@example.com"}
	confirmation := b.bookThroughPages(s, freeService, day, "09:30", g)

	mail := waitMail(t, s, g.Email, "Confirmed:")
	manage := manageLinkRe.FindString(mail.Text)
	switch {
	case manage == "":
		t.Errorf("the confirmation e-mail's text part has no link to the booking's page; going on with the confirmation page's address %s. The text part:\n%s", confirmation, mail.Text)
		manage = confirmation
	case !strings.HasPrefix(manage, s.Base+"/m/"):
		t.Errorf("the e-mail's link %s is not on this site (%s)", manage, s.Base)
	case pathOf(manage) != pathOf(confirmation):
		t.Errorf("the e-mail links to %s, the confirmation page is %s: not the same booking's page", pathOf(manage), pathOf(confirmation))
	}

	b.open(manage)
	b.expectText(".status", "Confirmed")
	b.expectText(".details", day.Format(dayLayout)+", 09:30–10:00")

	follow(b, "Move to another time", link("Move to another time"))
	b.expectText("h1", "Move your booking")
	b.expectText(".staff-fixed", "Alex Demo")
	b.pickDay(other)
	follow(b, "the 15:00 time", slotLink("15:00"))
	b.expectText("#confirm-heading", "Move to this time?")
	b.expectText(".details", other.Format(dayLayout)+", 15:00–15:30")
	follow(b, "Move my booking", button("Move my booking"))
	b.expectText(".banner", "Your booking has been moved.")
	b.expectText(".status", "Confirmed")
	b.expectText(".details", other.Format(dayLayout)+", 15:00–15:30")

	follow(b, "Cancel booking", link("Cancel booking"))
	b.expectText("h1", "Cancel this booking?")
	b.expectText("main", "This booking is free, so there is nothing to refund.")
	follow(b, "Yes, cancel my booking", button("Yes, cancel my booking"))
	b.expectText(".banner", "Your booking is cancelled.")
	b.expectText(".status", "Cancelled")
	if hasElement(b, `a[href*="/reschedule"], a[href*="/cancel"]`) {
		t.Errorf("a cancelled booking still offers to move or cancel it: %s", b.mainText())
	}

	b.open(manage)
	b.expectText(".status", "Cancelled")
}

// pathOf is the path of an absolute URL.
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Path
}
