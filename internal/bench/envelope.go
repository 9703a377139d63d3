package bench

import (
	"fmt"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/event"
)

// benchSource is the source service of the events the benchmarks write.
const benchSource = "scheduling"

// bookingCreated returns a realistic booking.created payload for the i-th
// booking of a run (about 300 bytes once in its envelope).
func bookingCreated(i int, now time.Time) event.BookingCreated {
	start := now.Add(24 * time.Hour).Truncate(time.Hour).UTC()
	return event.BookingCreated{
		BookingID:       fmt.Sprintf("bkg_%020d", i),
		BusinessID:      "biz_01J9Z3K8Q4W2E5R7T9Y1U3I5O7",
		ServiceID:       "svc_01J9Z3M2N4B6V8C0X2Z4A6S8D0",
		ClientID:        fmt.Sprintf("usr_%022d", i%5000),
		StartTime:       start,
		EndTime:         start.Add(time.Hour),
		TotalAmount:     150,
		RequiresPayment: i%2 == 0,
	}
}

// publishPayload is a booking.created payload with optional padding so that
// the raw publish benchmark can sweep message sizes; the padding field is
// extra to the schema (the raw benchmark does not validate).
type publishPayload struct {
	event.BookingCreated
	Padding string `json:"padding,omitempty"`
}

// sizedEnvelope returns a booking.created envelope whose JSON body is about
// size bytes (never smaller than the realistic envelope).
func sizedEnvelope(i, size int, now time.Time) (event.Envelope, error) {
	p := publishPayload{BookingCreated: bookingCreated(i, now)}
	ev, err := event.New(now, event.TypeBookingCreated, "1.0", benchSource, "", p)
	if err != nil {
		return ev, err
	}
	body, err := ev.MarshalJSON()
	if err != nil {
		return ev, fmt.Errorf("marshal envelope: %w", err)
	}
	// `,"padding":""` costs 14 bytes before any padding character.
	if pad := size - len(body) - 14; pad > 0 {
		p.Padding = strings.Repeat("x", pad)
		return event.New(now, event.TypeBookingCreated, "1.0", benchSource, ev.CorrelationID, p)
	}
	return ev, nil
}
