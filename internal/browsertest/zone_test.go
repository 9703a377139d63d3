package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// (f) The demo is in Europe/Berlin; its last Intro call of a day, 16:30
// there, is 04:30 (02:30 in the northern summer) of the next day in
// Pacific/Auckland. Choosing that zone moves the time to the next day;
// with JavaScript the browser's zone is detected and applied.
func TestZoneMovesLateTimeToNextDay(t *testing.T) {
	s := startSite(t)
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Fatal(err)
	}
	days := weekdays(3)
	// nextDay is the day after day in Auckland's calendar.
	nextDay := func(day time.Time) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, auckland)
	}
	// labelIn is how a slot at instant names itself in zone.
	labelIn := func(instant time.Time, zone *time.Location) string {
		l := instant.In(zone)
		return fmt.Sprintf("%s %s, %s", l.Format("15:04"), l.Format("MST"), l.Format(dayLayout))
	}

	t.Run("chosen without JavaScript", func(t *testing.T) {
		b := newBrowser(t, false)
		day := days[1]
		late := at(day, "16:30")
		b.open(s.Base + demoPath)
		follow(b, "open the Intro call", linkContaining(freeService))
		b.pickDay(day)
		if got := slotAt(b, late); got != labelIn(late, demoZone) {
			t.Fatalf("in Berlin, the time at %s is named %q, want %q", late.UTC(), got, labelIn(late, demoZone))
		}
		b.chooseZone("Pacific/Auckland")
		b.expectText(".zone-note", "Times in Pacific/Auckland")
		if got := slotAt(b, late); got != "" {
			t.Errorf("in Auckland, %s (%s) still shows on %s", got, late.UTC(), b.textOf("#slots-heading"))
		}
		b.pickDay(nextDay(day))
		if got := slotAt(b, late); got != labelIn(late, auckland) {
			t.Fatalf("in Auckland, the time at %s is named %q on %s, want %q", late.UTC(), got, b.textOf("#slots-heading"), labelIn(late, auckland))
		}
	})

	t.Run("detected with JavaScript", func(t *testing.T) {
		b := newBrowser(t, true)
		b.setZone("Pacific/Auckland")
		day := days[2]
		late := at(day, "16:30")
		b.open(s.Base + demoPath)
		follow(b, "open the Intro call", linkContaining(freeService))
		b.waitJS("the service page shown in the browser's zone", 10*time.Second, `(() => {
			const p = document.getElementById("picker");
			return new URL(location.href).searchParams.get("tz") === "Pacific/Auckland" && p !== null && p.dataset.tz === "Pacific/Auckland";
		})()`)
		b.expectText(".zone-note", "Times in Pacific/Auckland")
		if zone := value(b, "the zone picker", chromedp.Evaluate[string](`document.getElementById("tz").value`)); zone != "Pacific/Auckland" {
			t.Errorf("the zone picker shows %q, want the detected Pacific/Auckland", zone)
		}
		b.pickDay(nextDay(day))
		if got := slotAt(b, late); got != labelIn(late, auckland) {
			t.Fatalf("in Auckland, the time at %s is named %q on %s, want %q", late.UTC(), got, b.textOf("#slots-heading"), labelIn(late, auckland))
		}

		// Back to Berlin, in place: the time is on its own day again.
		b.chooseZone("Europe/Berlin")
		if loc := b.location(); !strings.Contains(loc, "tz=Europe%2FBerlin") {
			t.Errorf("after choosing Europe/Berlin, the address is %s", loc)
		}
		b.pickDay(day)
		if got := slotAt(b, late); got != labelIn(late, demoZone) {
			t.Fatalf("back in Berlin, the time at %s is named %q on %s, want %q", late.UTC(), got, b.textOf("#slots-heading"), labelIn(late, demoZone))
		}
	})
}

// slotAt is the accessible name of the listed time that starts at
// instant ("" when none is listed).
func slotAt(b *browser, instant time.Time) string {
	b.t.Helper()
	return value(b, "find the time at "+instant.UTC().Format(time.RFC3339), chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const a = Array.from(document.querySelectorAll("#slots a.slot"))
			.find(a => new URL(a.href).searchParams.get("start") === %s);
		return a ? a.getAttribute("aria-label") : "";
	})()`, js(instant.UTC().Format(time.RFC3339)))))
}
