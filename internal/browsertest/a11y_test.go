package browsertest

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// (g) axe-core finds no serious or critical violation on any page a
// guest visits — landing, business, service with a day chosen, booking
// form (also with an error, and with its time taken), the booking's page,
// the payment step (also after a declined card), reschedule (picker and
// confirmation), cancel, and the 404 page — with JavaScript on and off.
func TestAccessibility(t *testing.T) {
	for _, javaScript := range []bool{true, false} {
		name := "with JavaScript"
		if !javaScript {
			name = "without JavaScript"
		}
		t.Run(name, func(t *testing.T) {
			s := startSite(t)
			b := newBrowser(t, javaScript)
			auditGuestPages(t, s, b)
		})
	}
}

func auditGuestPages(t *testing.T, s *site, b *browser) {
	days := weekdays(4)

	b.open(s.Base + "/")
	b.audit("landing page")
	follow(b, "the demo link", link("See the demo booking page"))
	b.audit("business page")
	follow(b, "open the Intro call", linkContaining(freeService))
	b.pickDay(days[1])
	b.audit("service page, a day chosen")

	follow(b, "the 10:00 time", slotLink("10:00"))
	formURL := b.location()
	b.audit("booking form")
	b.fillGuest(guest{Name: "   ", Email: "alan.a11y@example.com"})
	if status := follow(b, "Book now with a blank name", button("Book now")); status == http.StatusOK {
		t.Errorf("a blank name was answered with HTTP 200")
	}
	b.expectText("#name-error", "Name")
	b.audit("booking form with an error")
	b.fillGuest(guest{Name: "Alan Turing", Email: "alan.a11y@example.com"})
	follow(b, "Book now", button("Book now"))
	b.expectText(".status", "Confirmed")
	b.audit("booking's page (confirmation)")

	manage := b.location()
	b.open(formURL)
	b.expectText("h1", "Pick another time")
	b.audit("booking form, the time taken")

	b.open(manage)
	follow(b, "Move to another time", link("Move to another time"))
	b.audit("reschedule: picker")
	b.pickDay(days[2])
	b.audit("reschedule: picker, a day chosen")
	follow(b, "the 11:00 time", slotLink("11:00"))
	b.expectText("#confirm-heading", "Move to this time?")
	b.audit("reschedule: confirmation")
	follow(b, "back to the booking", link("Your booking"))
	follow(b, "Cancel booking", link("Cancel booking"))
	b.expectText("h1", "Cancel this booking?")
	b.audit("cancel page")

	b.bookThroughPages(s, paidService, days[3], "13:00", guest{Name: "Alan Turing", Email: "alan.a11y@example.com"})
	b.waitJS("the card form", 30*time.Second, `document.getElementById("card") !== null`)
	b.audit("payment step")
	b.typeInto("Card number", "4000 0000 0000 0002")
	follow(b, "Pay €60.00", button("Pay €60.00"))
	b.expectText(`#pay [role="alert"]`, "declined")
	b.audit("payment step after a declined card")

	if resp := value(b, "open an unknown service", chromedp.NavigateResponse(s.Base+demoPath+"/no-such-service")); resp.Status != http.StatusNotFound {
		t.Errorf("an unknown service: HTTP %d, want 404", resp.Status)
	}
	b.expectText("h1", "Page not found")
	b.audit("404 page")
}
