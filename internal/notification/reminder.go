package notification

import "time"

// Reminder statuses.
const (
	ReminderScheduled = "scheduled"
	ReminderSent      = "sent"
	ReminderSkipped   = "skipped" // due only after the booking started
	ReminderFailed    = "failed"  // the last attempt failed
)

// Reminder is one scheduled reminder of a booking.
type Reminder struct {
	ID        string
	BookingID string
	Offset    time.Duration // before the start
	DueAt     time.Time
	Status    string
	Attempts  int
	LastError string
}

// PlanReminders returns the reminders of a booking starting at start:
// one per offset whose time is still ahead of now.
func PlanReminders(bookingID string, start, now time.Time, offsets []time.Duration, newID func() string) []Reminder {
	var out []Reminder
	for _, off := range offsets {
		due := start.Add(-off)
		if !due.After(now) {
			continue
		}
		out = append(out, Reminder{ID: newID(), BookingID: bookingID, Offset: off, DueAt: due.UTC(), Status: ReminderScheduled})
	}
	return out
}
