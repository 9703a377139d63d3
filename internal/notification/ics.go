package notification

import (
	"strconv"
	"strings"
	"time"
)

// iCalendar methods (RFC 5546).
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
)

// Invite is one booking as a calendar event.
type Invite struct {
	UID      string // stable per booking
	Sequence int    // grows with every change
	Method   string // MethodRequest or MethodCancel
	Stamp    time.Time
	Start    time.Time
	End      time.Time
	Summary  string
	// Description is the event's notes (the manage link among them);
	// Location the business's address ("" for none); URL the booking's
	// manage page ("" for none).
	Description string
	Location    string
	URL         string
	Organizer   string // e-mail address
	OrgName     string
	Attendee    string // e-mail address
	AttName     string
	// Alarm is how long before the start the calendar reminds the
	// attendee (a DISPLAY alarm); 0 for none. Only a REQUEST carries it.
	Alarm time.Duration
}

// InviteUID returns the calendar UID of a booking: the same for every
// message about it, so calendars update the one event.
func InviteUID(bookingID string) string { return bookingID + "@slotwise" }

// ICS renders inv as an RFC 5545 object: CRLF line endings, lines folded
// at 75 octets, times in UTC.
func (inv Invite) ICS() []byte {
	status := "CONFIRMED"
	if inv.Method == MethodCancel {
		status = "CANCELLED"
	}
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//SlotWise//Notifications//EN",
		"CALSCALE:GREGORIAN",
		"METHOD:" + inv.Method,
		"BEGIN:VEVENT",
		"UID:" + icsText(inv.UID),
		"SEQUENCE:" + strconv.Itoa(inv.Sequence),
		"DTSTAMP:" + icsTime(inv.Stamp),
		"DTSTART:" + icsTime(inv.Start),
		"DTEND:" + icsTime(inv.End),
		"SUMMARY:" + icsText(inv.Summary),
		"STATUS:" + status,
	}
	if inv.Description != "" {
		lines = append(lines, "DESCRIPTION:"+icsText(inv.Description))
	}
	if inv.Location != "" {
		lines = append(lines, "LOCATION:"+icsText(inv.Location))
	}
	if inv.URL != "" {
		lines = append(lines, "URL:"+icsURI(inv.URL))
	}
	if inv.Organizer != "" {
		lines = append(lines, "ORGANIZER"+icsCN(inv.OrgName)+":mailto:"+inv.Organizer)
	}
	if inv.Attendee != "" {
		lines = append(lines, "ATTENDEE"+icsCN(inv.AttName)+";ROLE=REQ-PARTICIPANT:mailto:"+inv.Attendee)
	}
	if inv.Alarm > 0 && inv.Method == MethodRequest {
		lines = append(lines, "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:"+icsText(inv.Summary),
			"TRIGGER:-PT"+strconv.Itoa(int(inv.Alarm/time.Minute))+"M", "END:VALARM")
	}
	lines = append(lines, "END:VEVENT", "END:VCALENDAR")
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(fold(l))
	}
	return []byte(b.String())
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value (RFC 5545 3.3.11).
func icsText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`)
	return r.Replace(s)
}

// icsURI drops what a URI value cannot hold (controls, spaces): URIs are
// not TEXT-escaped.
func icsURI(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// icsCN renders a CN parameter, quoted, without the characters a quoted
// parameter value cannot hold.
func icsCN(name string) string {
	name = strings.Map(func(r rune) rune {
		if r == '"' || r < ' ' {
			return -1
		}
		return r
	}, name)
	if name == "" {
		return ""
	}
	return `;CN="` + name + `"`
}

// fold splits a content line into lines of at most 75 octets (the
// continuation lines start with a space), never inside a UTF-8 sequence,
// each ended by CRLF.
func fold(line string) string {
	const limit = 75
	var b strings.Builder
	first := true
	for len(line) > 0 {
		max := limit
		if !first {
			max = limit - 1 // the leading space counts
		}
		n := len(line)
		if n > max {
			n = max
			for n > 0 && line[n]&0xC0 == 0x80 { // do not split a rune
				n--
			}
		}
		if !first {
			b.WriteByte(' ')
		}
		b.WriteString(line[:n])
		b.WriteString("\r\n")
		line = line[n:]
		first = false
	}
	return b.String()
}
