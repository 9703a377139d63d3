package notification_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/notification/smtptest"
)

func TestInviteFoldsLongLinesAndEscapesText(t *testing.T) {
	long := strings.Repeat("Ünïcödé haircut, colour; and more ", 6)
	inv := notification.Invite{
		UID: notification.InviteUID("bk_1"), Sequence: 3, Method: notification.MethodCancel,
		Stamp: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Start: time.Date(2030, 1, 15, 15, 0, 0, 0, time.FixedZone("CET", 3600)),
		End: time.Date(2030, 1, 15, 16, 0, 0, 0, time.FixedZone("CET", 3600)), Summary: long,
		Organizer: "no-reply@slotwise.test", OrgName: `Salon "Ada"`, Attendee: "c@example.com", AttName: "Cleo",
	}
	raw := string(inv.ICS())
	cal, err := smtptest.ParseICS(raw) // checks CRLF and 75-octet lines
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	for _, l := range cal.Lines {
		if !strings.HasPrefix(l, " ") && strings.Contains(l, "\n") {
			t.Fatalf("bare newline in %q", l)
		}
	}
	want := map[string]string{
		"UID": "bk_1@slotwise", "SEQUENCE": "3", "DTSTART": "20300115T140000Z", "DTEND": "20300115T150000Z",
		"STATUS": "CANCELLED", "SUMMARY": strings.NewReplacer(",", `\,`, ";", `\;`).Replace(long),
	}
	for k, v := range want {
		if cal.Event[k] != v {
			t.Errorf("%s = %q, want %q", k, cal.Event[k], v)
		}
	}
	if cal.Props["METHOD"] != "CANCEL" || !strings.Contains(raw, `ORGANIZER;CN="Salon Ada":mailto:no-reply@slotwise.test`) {
		t.Errorf("METHOD %q or organizer wrong:\n%s", cal.Props["METHOD"], raw)
	}
}

func TestInviteCarriesLinksPlaceAndAlarm(t *testing.T) {
	base := notification.Invite{
		UID: notification.InviteUID("bk_1"), Sequence: 1, Method: notification.MethodRequest,
		Stamp: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Start: time.Date(2030, 1, 15, 14, 0, 0, 0, time.UTC),
		End: time.Date(2030, 1, 15, 15, 0, 0, 0, time.UTC), Summary: "Haircut – Salon Ada",
		Description: "Haircut at Salon Ada.\nManage, reschedule or cancel: https://book.example/m/abc_-DEF",
		Location:    "Hauptstraße 1, 10115 Berlin; 2nd floor", URL: "https://book.example/m/abc_-DEF",
		Organizer: "no-reply@slotwise.test", OrgName: "Salon Ada", Alarm: time.Hour,
	}
	cases := []struct {
		name   string
		method string
		alarm  map[string]string
	}{
		{"a request reminds an hour before", notification.MethodRequest, map[string]string{"ACTION": "DISPLAY", "TRIGGER": "-PT60M", "DESCRIPTION": "Haircut – Salon Ada"}},
		{"a cancellation has no alarm", notification.MethodCancel, map[string]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv := base
			inv.Method = c.method
			raw := string(inv.ICS())
			cal, err := smtptest.ParseICS(raw)
			if err != nil {
				t.Fatalf("%v\n%s", err, raw)
			}
			want := map[string]string{
				"DESCRIPTION": `Haircut at Salon Ada.\nManage\, reschedule or cancel: https://book.example/m/abc_-DEF`,
				"LOCATION":    `Hauptstraße 1\, 10115 Berlin\; 2nd floor`,
				"URL":         "https://book.example/m/abc_-DEF",
				"ORGANIZER":   "mailto:no-reply@slotwise.test",
			}
			for k, v := range want {
				if cal.Event[k] != v {
					t.Errorf("%s = %q, want %q", k, cal.Event[k], v)
				}
			}
			if len(cal.Alarm) != len(c.alarm) {
				t.Fatalf("VALARM %v, want %v", cal.Alarm, c.alarm)
			}
			for k, v := range c.alarm {
				if cal.Alarm[k] != v {
					t.Errorf("VALARM %s = %q, want %q", k, cal.Alarm[k], v)
				}
			}
		})
	}
}

func TestSignatureVerifies(t *testing.T) {
	at := time.Unix(1_900_000_000, 0)
	body := []byte(`{"id":"evt_1"}`)
	h := notification.Sign("whsec_x", at, body)
	cases := []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"valid", "whsec_x", h, body, at.Add(time.Minute), nil},
		{"tampered body fails", "whsec_x", h, []byte(`{"id":"evt_2"}`), at, notification.ErrSignatureMatch},
		{"other secret fails", "whsec_y", h, body, at, notification.ErrSignatureMatch},
		{"replay after tolerance fails", "whsec_x", h, body, at.Add(6 * time.Minute), notification.ErrSignatureStale},
		{"tampered timestamp fails", "whsec_x", strings.Replace(h, "t=1900000000", "t=1900000001", 1), body, at, notification.ErrSignatureMatch},
		{"malformed fails", "whsec_x", "v1=abc", body, at, notification.ErrSignatureFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := notification.Verify(c.secret, c.header, c.body, c.now, 5*time.Minute); err != c.want {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

func TestPlanRemindersSkipsPastOnes(t *testing.T) {
	s := time.Date(2030, 1, 15, 14, 0, 0, 0, time.UTC)
	n := 0
	id := func() string { n++; return "rem_" + string(rune('0'+n)) }
	rs := notification.PlanReminders("bk", s, s.Add(-2*time.Hour), notification.DefaultReminderOffsets, id)
	if len(rs) != 1 || rs[0].Offset != time.Hour || !rs[0].DueAt.Equal(s.Add(-time.Hour)) {
		t.Fatalf("reminders %+v, want only the 1 h one", rs)
	}
}
