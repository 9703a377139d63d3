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

	"github.com/slotwise/slotwise/internal/tz"
)

// Message is one rendered message, ready for a channel. Names travel
// apart from addresses: the channel formats the address headers (a name
// is never pasted into an address).
type Message struct {
	To     string // address
	ToName string
	// FromName is the sender's display name (the business's name); ""
	// keeps the configured sender's own. The address is always the
	// configured sender's.
	FromName string
	// ReplyTo is where replies go ("" for the sender); ReplyToName its
	// display name.
	ReplyTo     string
	ReplyToName string
	Subject     string
	Text        string // the plain-text part
	HTML        string // the HTML part
	MessageID   string // without angle brackets; see DeliveryKey.MessageID
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

// View is what the templates see. Every field is text for people: no
// ids, no codes (links aside).
type View struct {
	Subject       string // filled by Render for the HTML title
	RecipientName string
	BusinessName  string
	ServiceName   string
	Duration      int // minutes
	// Start, End, PreviousStart and Deadline are local times in the
	// recipient's zone with the zone named, e.g. "Tuesday, 15 January
	// 2030, 15:00 CET (Europe/Berlin)"; BusinessStart is the start in the
	// business's zone, set only when that zone is another.
	Start         string
	End           string
	BusinessStart string
	PreviousStart string
	Deadline      string // the end of a pending booking's payment hold
	Zone          string
	Address       string // the business's, lines joined by "\n"
	Amount        string // the price: "150.00 EUR", "Free"; "" when unknown
	Refund        string // the amount refunded (payment_refunded)
	Reason        string // cancellation, failure or refund reason, in words
	CanRetry      bool   // payment_failed: the booking is still held
	ReminderIn    string // "24 hours", "1 hour"
	// Links (absolute; "" when not configured): the booking's manage page
	// and payment step, the business's booking page, the owner's
	// dashboard page of the booking.
	ManageURL    string
	PayURL       string
	BookURL      string
	DashboardURL string
	// WithInvite: the message carries the booking's calendar object.
	WithInvite bool
	// Owner messages: ForOwner, the client, who cancelled, and the
	// client's note for the business (plain text, lines joined by "\n").
	ForOwner    bool
	ClientName  string
	ClientEmail string
	CancelledBy string // "the client", "you" or ""
	Note        string
}

//go:embed templates/*.tmpl
var templateFS embed.FS

// Templates renders every Kind's subject, plain-text and HTML parts.
type Templates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// Action is a message's main call to action: the button of the HTML part,
// the written-out link of the text part.
type Action struct {
	Label string
	URL   string
}

var templateFuncs = map[string]any{
	"lines":  lines,
	"action": func(label, url string) Action { return Action{Label: label, URL: url} },
}

// lines splits a multi-line value (an address) into its non-blank lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// LoadTemplates parses the embedded templates.
func LoadTemplates() (*Templates, error) {
	txt, err := texttemplate.New("text").Funcs(texttemplate.FuncMap(templateFuncs)).ParseFS(templateFS, "templates/*.txt.tmpl")
	if err != nil {
		return nil, fmt.Errorf("text templates: %w", err)
	}
	html, err := htmltemplate.New("html").Funcs(htmltemplate.FuncMap(templateFuncs)).ParseFS(templateFS, "templates/*.html.tmpl")
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
	m.Subject = strings.TrimSpace(subj.String())
	v.Subject = m.Subject
	if err := t.html.ExecuteTemplate(&html, kind+".html", v); err != nil {
		return fmt.Errorf("render %s html: %w", kind, err)
	}
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
		if loc, err := tz.Load(z); err == nil {
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

// Price is what a booking costs, for people: Money, "Free" for a booking
// known to cost nothing, "" when booking.created (and so the price) was
// not seen.
func Price(b Booking) string {
	switch {
	case b.Amount > 0:
		return Money(b.Amount, b.Currency)
	case b.Currency != "":
		return "Free"
	}
	return ""
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
