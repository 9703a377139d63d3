// Package mailer puts the notification service's messages on a channel:
// SMTP through github.com/wneessen/go-mail, or the log (the default of
// `slotwise run`, so the embedded mode needs no mail server). Rendering and
// the decision what to send belong to package notification.
package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/slotwise/slotwise/internal/notification"
)

// SMTPConfig is where and how to hand mail to an SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// StartTLS is "required" (default), "opportunistic" or "none".
	StartTLS string
	Timeout  time.Duration
}

// ParseSMTPURL reads smtp://[user:pass@]host[:port][?starttls=required|opportunistic|none].
// The port defaults to 587 (25 with starttls=none).
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return SMTPConfig{}, fmt.Errorf("smtp url: want smtp://[user:pass@]host[:port][?starttls=required|opportunistic|none], got %q", redact(raw))
	}
	c := SMTPConfig{Host: u.Hostname(), StartTLS: "required", Timeout: 15 * time.Second}
	if v := u.Query().Get("starttls"); v != "" {
		c.StartTLS = v
	}
	switch c.StartTLS {
	case "required", "opportunistic", "none":
	default:
		return SMTPConfig{}, fmt.Errorf("smtp url: starttls must be required, opportunistic or none, got %q", c.StartTLS)
	}
	c.Port = 587
	if c.StartTLS == "none" {
		c.Port = 25
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return SMTPConfig{}, fmt.Errorf("smtp url: bad port %q", p)
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	return c, nil
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

// SMTP sends e-mail through an SMTP server, one connection per message.
type SMTP struct {
	cfg  SMTPConfig
	from string
}

// NewSMTP returns the SMTP channel sending as from ("Name <addr>" or
// "addr").
func NewSMTP(cfg SMTPConfig, from string) (*SMTP, error) {
	m := mail.NewMsg()
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("mail from %q: %w", from, err)
	}
	return &SMTP{cfg: cfg, from: from}, nil
}

// Channel names the channel: email.
func (s *SMTP) Channel() string { return notification.ChannelEmail }

func (s *SMTP) options() []mail.Option {
	opts := []mail.Option{mail.WithPort(s.cfg.Port), mail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.StartTLS {
	case "none":
		opts = append(opts, mail.WithTLSPortPolicy(mail.NoTLS))
	case "opportunistic":
		opts = append(opts, mail.WithTLSPortPolicy(mail.TLSOpportunistic))
	default:
		opts = append(opts, mail.WithTLSPortPolicy(mail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	return opts
}

// Send hands m to the server. The provider id is the server's reply to
// the message ("250 2.0.0 Ok: queued as …") when it gave one, else the
// Message-ID.
func (s *SMTP) Send(ctx context.Context, m notification.Message) (string, error) {
	msg, err := Build(s.from, m)
	if err != nil {
		return "", err
	}
	c, err := mail.NewClient(s.cfg.Host, s.options()...)
	if err != nil {
		return "", fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return "", fmt.Errorf("smtp %s: %w", net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)), err)
	}
	if r := strings.TrimSpace(msg.ServerResponse()); r != "" {
		return r, nil
	}
	return "<" + m.MessageID + ">", nil
}

// Build turns a rendered message into a MIME message: plain text and HTML
// alternatives, and the invitation as text/calendar (inline alternative
// with its METHOD, which calendar clients act on, and as invite.ics).
//
// The address headers are built from net/mail addresses, whose String
// quotes or RFC 2047-encodes a display name as needed: a name (a
// business's, a guest's) is never pasted into an address, so quotes,
// commas, angle brackets and non-ASCII letters in it stay a name.
// m.FromName replaces the configured sender's name, never its address.
func Build(from string, m notification.Message) (*mail.Msg, error) {
	msg := mail.NewMsg()
	sender, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail from %q: %w", from, err)
	}
	if m.FromName != "" {
		sender = &netmail.Address{Name: m.FromName, Address: sender.Address}
	}
	msg.FromMailAddress(sender)
	to, err := address(m.ToName, m.To)
	if err != nil {
		return nil, fmt.Errorf("mail to: %w", err)
	}
	msg.ToMailAddress(to)
	if m.ReplyTo != "" {
		rt, err := address(m.ReplyToName, m.ReplyTo)
		if err != nil {
			return nil, fmt.Errorf("mail reply-to: %w", err)
		}
		msg.ReplyToMailAddress(rt)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	if m.Calendar != nil {
		ct := mail.ContentType("text/calendar; method=" + m.CalendarMethod + "; charset=UTF-8")
		if err := msg.AttachReader("invite.ics", bytes.NewReader(m.Calendar), mail.WithFileContentType(ct)); err != nil {
			return nil, fmt.Errorf("attach invite: %w", err)
		}
	}
	return msg, nil
}

// address checks that addr is a bare address and pairs it with name.
func address(name, addr string) (*netmail.Address, error) {
	a, err := netmail.ParseAddress(addr)
	if err != nil || a.Address != addr {
		return nil, fmt.Errorf("bad address %q", addr)
	}
	return &netmail.Address{Name: name, Address: addr}, nil
}

// Log is the log channel: it logs each message instead of sending it.
type Log struct{ log *slog.Logger }

// NewLog returns the log channel writing to log.
func NewLog(log *slog.Logger) *Log { return &Log{log: log} }

// Channel names the channel: log.
func (l *Log) Channel() string { return notification.ChannelLog }

// Send logs m; the provider id is its Message-ID.
func (l *Log) Send(_ context.Context, m notification.Message) (string, error) {
	if m.To == "" {
		return "", errors.New("log channel: no recipient")
	}
	l.log.Info("notification (log channel)", "to", m.To, "from_name", m.FromName, "reply_to", m.ReplyTo,
		"subject", m.Subject, "message_id", m.MessageID,
		"calendar_method", m.CalendarMethod, "text", m.Text)
	return "<" + m.MessageID + ">", nil
}
