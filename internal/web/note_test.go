package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBookingNoteReachesTheBookingAndTheManagePage: the form's note is
// passed to the booking (line breaks kept) and shown, escaped, on the
// manage page, line by line.
func TestBookingNoteReachesTheBookingAndTheManagePage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	form := h.get(t, formPath+slotQuery)
	res := h.submit(t, form, formPath, url.Values{"name": {"Ada Guest"}, "email": {"ada@example.com"},
		"note": {"Second floor.\r\n<script>alert(1)</script>"}})
	wantStatus(t, res, http.StatusSeeOther)
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if b := h.sched.bookings[h.bookingID(t, loc.Path)]; b.Note != "Second floor.\n<script>alert(1)</script>" {
		t.Fatalf("note = %q", b.Note)
	}
	p := h.get(t, loc.Path)
	wantStatus(t, p, http.StatusOK)
	wantHTML(t, p, "<dt>Your note</dt><dd>Second floor.<br>&lt;script&gt;alert(1)&lt;/script&gt;</dd>")
	wantNot(t, p, "<script>alert(1)")
}

// TestBookingNoteRefusedNextToItsField: a note the use case refuses comes
// back next to the note field, in words, with everything typed kept.
func TestBookingNoteRefusedNextToItsField(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for name, c := range map[string]struct{ note, message string }{
		"too_long":          {strings.Repeat("a", 1001), "Note must be at most 1000 characters."},
		"control_character": {"ring\atwice", "Note may hold only text and line breaks: please remove special characters."},
	} {
		t.Run(name, func(t *testing.T) {
			form := h.get(t, formPath+slotQuery)
			p := h.submit(t, form, formPath, url.Values{"name": {"Ada Guest"}, "email": {"ada@example.com"}, "note": {c.note}})
			wantStatus(t, p, http.StatusBadRequest)
			wantHTML(t, p, `aria-invalid="true" aria-describedby="note-error">`+c.note[:4],
				`<p id="note-error" class="field-error">`+c.message+`</p>`, `value="Ada Guest"`)
		})
	}
	if h.sched.created != 0 {
		t.Errorf("%d bookings made", h.sched.created)
	}
}
