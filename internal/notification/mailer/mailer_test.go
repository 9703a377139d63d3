package mailer_test

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/notification/mailer"
)

// Names are never pasted into addresses: whatever a business or guest is
// called, the headers parse back to exactly that name and address, and a
// line break in a name cannot add a header.
func TestBuildKeepsNamesApartFromAddresses(t *testing.T) {
	names := []struct{ name, value string }{
		{"quotes", `Quote" Name`},
		{"comma and brackets", `Salon "Ada", <b>Berlin</b> & Co`},
		{"non-ASCII", "Café Zoë Ünal"},
		{"line break", "Evil\r\nBcc: victim@example.com"},
		{"empty", ""},
	}
	for _, n := range names {
		t.Run(n.name, func(t *testing.T) {
			msg, err := mailer.Build("SlotWise <no-reply@slotwise.test>", notification.Message{
				To: "to@example.com", ToName: n.value, FromName: n.value, ReplyTo: "owner@example.com", ReplyToName: n.value,
				Subject: "Hi", Text: "x\n", HTML: "<p>x</p>", MessageID: "id@slotwise.test",
			})
			if err != nil {
				t.Fatal(err)
			}
			var raw bytes.Buffer
			if _, err := msg.WriteTo(&raw); err != nil {
				t.Fatal(err)
			}
			m, err := mail.ReadMessage(&raw)
			if err != nil {
				t.Fatal(err)
			}
			if m.Header.Get("Bcc") != "" {
				t.Fatalf("a name added a Bcc header: %q", m.Header.Get("Bcc"))
			}
			fromName := n.value
			if fromName == "" {
				fromName = "SlotWise" // the configured sender's own name
			}
			for _, h := range []struct{ header, name, addr string }{
				{"From", fromName, "no-reply@slotwise.test"}, {"To", n.value, "to@example.com"}, {"Reply-To", n.value, "owner@example.com"},
			} {
				got, err := m.Header.AddressList(h.header)
				if err != nil || len(got) != 1 || got[0].Name != h.name || got[0].Address != h.addr {
					t.Errorf("%s = %v (%v), want %q <%s>; raw %q", h.header, got, err, h.name, h.addr, m.Header.Get(h.header))
				}
			}
		})
	}
}

func TestBuildRefusesAnAddressWithAName(t *testing.T) {
	_, err := mailer.Build("no-reply@slotwise.test", notification.Message{To: `Eve <eve@example.com>`, Subject: "Hi"})
	if err == nil || !strings.Contains(err.Error(), "bad address") {
		t.Fatalf("Build = %v, want a bad address error", err)
	}
}
