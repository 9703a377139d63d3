package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/scheduling"
)

// calendarFile serves the booking as an .ics file to add to a calendar
// (METHOD:PUBLISH: a copy for the client's calendar, not an invitation).
func (s *Site) calendarFile(w http.ResponseWriter, r *http.Request) {
	m, err := s.load(r.Context(), r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := s.details(m.b, m.pv, m.zone)
	link := s.baseURL(r) + managePath(m.token)
	body := icsEvent(m.b, d, link, s.deps.Now())
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="booking.ics"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", referrerPolicy)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body) // the client went away; nothing to do
}

// icsEvent renders one booking as RFC 5545 text: CRLF line endings, lines
// folded at 75 octets, times in UTC, a reminder an hour before.
func icsEvent(b scheduling.Booking, d detailsView, link string, now time.Time) []byte {
	status := "CONFIRMED"
	switch b.Status {
	case scheduling.StatusPending:
		status = "TENTATIVE"
	case scheduling.StatusCancelled, scheduling.StatusExpired:
		status = "CANCELLED"
	}
	lines := []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//SlotWise//Web//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
		"BEGIN:VEVENT",
		"UID:" + icsText(b.ID+"@slotwise"),
		"DTSTAMP:" + icsTime(now),
		"DTSTART:" + icsTime(b.Start),
		"DTEND:" + icsTime(b.End),
		"SUMMARY:" + icsText(summary(d)),
		"DESCRIPTION:" + icsText("See, change or cancel your booking: "+link),
		"URL:" + link,
		"LOCATION:" + icsText(strings.Join(append([]string{d.Business}, d.Address...), ", ")),
		"STATUS:" + status,
		"BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:" + icsText(summary(d)), "TRIGGER:-PT1H", "END:VALARM",
		"END:VEVENT", "END:VCALENDAR",
	}
	var sb strings.Builder
	for _, l := range lines {
		sb.WriteString(fold(l))
	}
	return []byte(sb.String())
}

// summary is "Haircut at Salon Rosa".
func summary(d detailsView) string {
	if d.Business == "" {
		return d.Service
	}
	return d.Service + " at " + d.Business
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value (RFC 5545 3.3.11).
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// fold ends a content line with CRLF, folding it at 75 octets without
// splitting a UTF-8 character.
func fold(line string) string {
	var sb strings.Builder
	n := 0
	for _, r := range line {
		size := len(string(r))
		if n+size > 75 {
			sb.WriteString("\r\n ")
			n = 1
		}
		sb.WriteRune(r)
		n += size
	}
	sb.WriteString("\r\n")
	return sb.String()
}

// googleCalendarURL is a link that opens Google Calendar's new-event form
// filled in with the booking.
func googleCalendarURL(b scheduling.Booking, d detailsView, link string) string {
	q := url.Values{}
	q.Set("action", "TEMPLATE")
	q.Set("text", summary(d))
	q.Set("dates", icsTime(b.Start)+"/"+icsTime(b.End))
	q.Set("details", "See, change or cancel your booking: "+link)
	if len(d.Address) > 0 {
		q.Set("location", strings.Join(append([]string{d.Business}, d.Address...), ", "))
	}
	return "https://calendar.google.com/calendar/render?" + q.Encode()
}
