package notification

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
)

// Message is one rendered message, ready for a channel.
type Message struct {
	To        string // address
	ToName    string
	Subject   string
	Text      string // the plain-text part
	HTML      string // the HTML part
	MessageID string // without angle brackets; see DeliveryKey.MessageID
	// Calendar is an iCalendar (RFC 5545) object to attach, nil for none;
	// CalendarMethod is its METHOD (REQUEST or CANCEL).
	Calendar       []byte
	CalendarMethod string
}

// Sender sends messages on one channel. Send returns the id the provider
// gave the message (the SMTP server's queue id when it tells one, else the
// Message-ID). An error means the message may not have been accepted;
// another attempt is safe because the Message-ID does not change.
type Sender interface {
	Channel() string
	Send(ctx context.Context, m Message) (providerID string, err error)
}

// View is what the templates see.
type View struct {
	RecipientName string
	BusinessName  string
	ServiceName   string
	BookingID     string
	// Start, End and PreviousStart are local times with the zone named,
	// e.g. "Monday, 15 January 2024, 15:00 CET (Europe/Berlin)".
	Start         string
	End           string
	PreviousStart string
	Zone          string
	Amount        string // "150.00 EUR"
	Reason        string // cancellation, failure or refund reason
	ReminderIn    string // "24 hours", "1 hour"
	Duration      int    // minutes
}

//go:embed templates/*.tmpl
var templateFS embed.FS

// Templates renders every Kind's subject, plain-text and HTML parts.
type Templates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// LoadTemplates parses the embedded templates.
func LoadTemplates() (*Templates, error) {
	txt, err := texttemplate.ParseFS(templateFS, "templates/*.txt.tmpl")
	if err != nil {
		return nil, fmt.Errorf("text templates: %w", err)
	}
	html, err := htmltemplate.ParseFS(templateFS, "templates/*.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("html templates: %w", err)
	}
	return &Templates{text: txt, html: html}, nil
}

// Render fills m's Subject, Text and HTML from kind's templates.
func (t *Templates) Render(kind string, v View, m *Message) error {
	var subj, txt, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&subj, kind+".subject", v); err != nil {
		return fmt.Errorf("render %s subject: %w", kind, err)
	}
	if err := t.text.ExecuteTemplate(&txt, kind+".text", v); err != nil {
		return fmt.Errorf("render %s text: %w", kind, err)
	}
	if err := t.html.ExecuteTemplate(&html, kind+".html", v); err != nil {
		return fmt.Errorf("render %s html: %w", kind, err)
	}
	m.Subject = strings.TrimSpace(subj.String())
	m.Text = strings.TrimSpace(txt.String()) + "\n"
	m.HTML = html.String()
	return nil
}

// Zone picks the zone a recipient reads times in: the first valid of
// zones (recipient's, guest's, business's), else UTC.
func Zone(zones ...string) *time.Location {
	for _, z := range zones {
		if z == "" {
			continue
		}
		if loc, err := time.LoadLocation(z); err == nil {
			return loc
		}
	}
	return time.UTC
}

// LocalTime formats t in loc with the zone named both ways, e.g.
// "Monday, 15 January 2024, 15:00 CET (Europe/Berlin)".
func LocalTime(t time.Time, loc *time.Location) string {
	lt := t.In(loc)
	return lt.Format("Monday, 2 January 2006, 15:04 MST") + " (" + loc.String() + ")"
}

// Money formats an amount in major units with its currency.
func Money(amount float64, currency string) string {
	return strings.TrimSpace(fmt.Sprintf("%.2f %s", amount, currency))
}

// Span describes a reminder offset for people: "24 hours", "1 hour",
// "30 minutes".
func Span(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d == time.Hour:
		return "1 hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d == time.Minute:
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", d/time.Minute)
}
