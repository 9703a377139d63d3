// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp) in
// the test process, records what it accepts, can be told to refuse with a
// 5xx reply, and parses the received MIME messages and their iCalendar
// parts. Test helpers only: nothing here is used by the program.
package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	smtp "github.com/emersion/go-smtp"
)

// Server is a running SMTP server on 127.0.0.1.
type Server struct {
	Addr string // host:port
	srv  *smtp.Server

	refuse atomic.Bool
	mu     sync.Mutex
	msgs   []Received
	// Refused counts the messages refused while Refuse was on.
	refused   atomic.Int64
	refusedAt []time.Time
}

// Received is one accepted message.
type Received struct {
	From string
	To   []string
	Raw  []byte
}

// Start starts a server, closed at cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtp listen: %v", err)
	}
	s.Addr, s.srv = ln.Addr().String(), srv
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// URL returns the smtp:// URL of the server (no TLS).
func (s *Server) URL() string { return "smtp://" + s.Addr + "?starttls=none" }

// Refuse makes the server reject every message with 554 (on) or accept
// them again (off).
func (s *Server) Refuse(on bool) { s.refuse.Store(on) }

// Refused returns how many messages were refused.
func (s *Server) Refused() int { return int(s.refused.Load()) }

// Messages returns the accepted messages so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// To returns the accepted messages addressed to addr.
func (s *Server) To(addr string) []Received {
	var out []Received
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if x.s.refuse.Load() {
		x.s.refused.Add(1)
		x.s.mu.Lock()
		x.s.refusedAt = append(x.s.refusedAt, time.Now())
		x.s.mu.Unlock()
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 3, 0}, Message: "refused by test"}
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, Received{From: x.from, To: append([]string(nil), x.to...), Raw: raw})
	x.s.mu.Unlock()
	return nil
}

// Parsed is a received message taken apart.
type Parsed struct {
	Header   mail.Header
	Subject  string
	To       string
	Text     string
	HTML     string
	Calendar string // the text/calendar part, "" for none
	CalType  string // its Content-Type
}

// Parse takes a received message apart.
func Parse(raw []byte) (Parsed, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Parsed{}, err
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return Parsed{}, err
	}
	p := Parsed{Header: m.Header, Subject: subj, To: m.Header.Get("To")}
	err = walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, &p)
	return p, err
}

func walk(ctype, cte string, body io.Reader, p *Parsed) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part, p); err != nil {
				return err
			}
		}
	}
	content, err := decode(cte, body)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		p.Text = content
	case "text/html":
		p.HTML = content
	case "text/calendar":
		p.Calendar, p.CalType = content, ctype
	}
	return nil
}

func decode(cte string, r io.Reader) (string, error) {
	switch strings.ToLower(cte) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &stripNewlines{r: r})
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

type stripNewlines struct{ r io.Reader }

func (s *stripNewlines) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}

// Calendar is a parsed iCalendar object: its content lines, unfolded,
// by property name (parameters dropped), for the VCALENDAR, its one
// VEVENT and the event's VALARM.
type Calendar struct {
	Props map[string]string // VCALENDAR properties (METHOD, VERSION, …)
	Event map[string]string // VEVENT properties (UID, SEQUENCE, DTSTART, …)
	Alarm map[string]string // VALARM properties (ACTION, TRIGGER, …); empty for none
	// Params holds the parameters of each property that has some, as
	// written (e.g. Params["ORGANIZER"] = `CN="Salon Ada"`).
	Params map[string]string
	Lines  []string // the physical lines, without CRLF
}

// ParseICS parses an iCalendar object strictly enough for tests: every
// line must end with CRLF and be at most 75 octets; folded lines are
// joined.
func ParseICS(s string) (Calendar, error) {
	c := Calendar{Props: map[string]string{}, Event: map[string]string{}, Alarm: map[string]string{}, Params: map[string]string{}}
	if !strings.HasSuffix(s, "\r\n") {
		return c, errors.New("ics: does not end with CRLF")
	}
	c.Lines = strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	var logical []string
	for _, l := range c.Lines {
		if strings.ContainsAny(l, "\r\n") {
			return c, fmt.Errorf("ics: bare CR or LF in %q", l)
		}
		if len(l) > 75 {
			return c, fmt.Errorf("ics: line of %d octets: %q", len(l), l)
		}
		if strings.HasPrefix(l, " ") && len(logical) > 0 {
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	target := c.Props
	for _, l := range logical {
		name, value, ok := cutValue(l)
		if !ok {
			return c, fmt.Errorf("ics: no colon in %q", l)
		}
		name, params, _ := strings.Cut(name, ";")
		switch l {
		case "BEGIN:VEVENT", "END:VALARM":
			target = c.Event
		case "END:VEVENT":
			target = c.Props
		case "BEGIN:VALARM":
			target = c.Alarm
		default:
			target[name] = value
			if params != "" {
				c.Params[name] = params
			}
		}
	}
	if c.Props["BEGIN"] != "VCALENDAR" || c.Props["END"] != "VCALENDAR" {
		return c, errors.New("ics: not a VCALENDAR")
	}
	return c, nil
}

// cutValue splits a content line at the colon that ends its name and
// parameters: the first one outside a quoted parameter value.
func cutValue(l string) (string, string, bool) {
	quoted := false
	for i, r := range l {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ':' && !quoted:
			return l[:i], l[i+1:], true
		}
	}
	return "", "", false
}

// RefusalGaps returns the time between consecutive refusals.
func (s *Server) RefusalGaps() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(s.refusedAt); i++ {
		out = append(out, s.refusedAt[i].Sub(s.refusedAt[i-1]))
	}
	return out
}
