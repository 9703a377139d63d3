package scheduling_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// TestBookingNoteRules: a note is plain text of at most 1000 characters;
// line breaks are normalised to LF and the note trimmed; newline and tab
// are its only control characters; a refused note is a 400 naming "note"
// and books nothing.
func TestBookingNoteRules(t *testing.T) {
	t.Parallel()
	svc := newService(t, sqldb.SQLite)
	ctx := context.Background()
	tests := []struct {
		name, note, want string
		ok               bool
	}{
		{"empty", "", "", true},
		{"blank_is_none", " \r\n\t ", "", true},
		{"crlf_and_cr_become_lf", "a\r\nb\rc", "a\nb\nc", true},
		{"tab_kept", "a\tb", "a\tb", true},
		{"markup_is_text", "<script>x</script>", "<script>x</script>", true},
		{"1000_characters", strings.Repeat("ß", 1000), strings.Repeat("ß", 1000), true},
		{"1001_characters", strings.Repeat("ß", 1001), "", false},
		{"bell", "a\u0007b", "", false},
		{"nul", "a\x00b", "", false},
		{"delete", "a\u007fb", "", false},
		{"c1_control", "a\u0085b", "", false},
		{"invalid_utf8", "a\xffb", "", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := fmt.Sprintf("2030-01-08T%02d:%02d:00Z", 8+i/2, i%2*30) // 30-minute slots from 09:00 Berlin
			c, err := svc.CreateBooking(ctx, scheduling.Actor{}, scheduling.BookingInput{BusinessID: "biz_1", ServiceID: "svc_1",
				StartTime: start, Note: tt.note, Client: &scheduling.Guest{Name: "Grace", Email: "grace@example.com"}})
			if !tt.ok {
				if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || ae.Field != "note" {
					t.Fatalf("err = %v, want invalid naming note", err)
				}
				if _, err := svc.BookingByToken(ctx, c.ManageToken); err == nil && c.ManageToken != "" {
					t.Fatal("a refused note booked all the same")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := svc.BookingByToken(ctx, c.ManageToken)
			if err != nil || b.Note != tt.want || c.Booking.Note != tt.want {
				t.Fatalf("note = %q (answer %q), %v; want %q", b.Note, c.Booking.Note, err, tt.want)
			}
		})
	}
}
