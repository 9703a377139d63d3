package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
)

// SubjectPrefix is the first token of every event subject: an event of type
// T is published on subject SubjectPrefix + T, e.g. "slotwise.booking.created".
const SubjectPrefix = "slotwise."

// NATS header names carried by every published event (the seed's tracing
// headers plus W3C trace context). JetStream de-duplication uses the
// Nats-Msg-Id header, set to the event id by the publisher.
const (
	HeaderCorrelationID = "correlation-id"
	HeaderEventID       = "event-id"
	HeaderSource        = "source-service"
	HeaderTraceparent   = "traceparent"
)

// DLQType is the event type of a dead-lettered event (the seed's
// "dlq.failed_event").
const DLQType = "dlq.failed_event"

// Envelope is the seed's event envelope. Data holds the type's payload as raw
// JSON; decode it with DataAs.
type Envelope struct {
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	Timestamp     time.Time       `json:"timestamp"`
	Version       string          `json:"version"`
	Source        string          `json:"source"`
	CorrelationID string          `json:"correlationId,omitempty"`
	Data          json.RawMessage `json:"data"`
}

// Subject returns the NATS subject of an event type.
func Subject(eventType string) string { return SubjectPrefix + eventType }

// TypeFromSubject returns the event type a subject carries, or false when the
// subject is not an event subject.
func TypeFromSubject(subject string) (string, bool) {
	t, ok := strings.CutPrefix(subject, SubjectPrefix)
	return t, ok && t != ""
}

// Subject returns the subject the envelope is published on.
func (e Envelope) Subject() string { return Subject(e.Type) }

// NewID returns a new event id: "evt_" followed by a ULID, so ids sort by
// creation time (monotonic within a millisecond in one process).
func NewID() string { return "evt_" + ulid.Make().String() }

// NewCorrelationID returns a new correlation id ("corr_" + ULID).
func NewCorrelationID() string { return "corr_" + ulid.Make().String() }

// IDTime returns the creation time encoded in an id made by NewID or
// NewCorrelationID.
func IDTime(id string) (time.Time, error) {
	_, raw, ok := strings.Cut(id, "_")
	if !ok {
		return time.Time{}, fmt.Errorf("id %q has no prefix", id)
	}
	u, err := ulid.ParseStrict(raw)
	if err != nil {
		return time.Time{}, fmt.Errorf("id %q: %w", id, err)
	}
	return ulid.Time(u.Time()).UTC(), nil
}

// New builds an envelope for data (marshalled to JSON) with a fresh id. now
// is the event time (it is stored in UTC); correlationID may be empty, in
// which case a new one is made.
func New(now time.Time, eventType, version, source, correlationID string, data any) (Envelope, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Envelope{}, fmt.Errorf("event %s: marshal data: %w", eventType, err)
	}
	if correlationID == "" {
		correlationID = NewCorrelationID()
	}
	return Envelope{
		ID:            NewID(),
		Type:          eventType,
		Timestamp:     now.UTC(),
		Version:       version,
		Source:        source,
		CorrelationID: correlationID,
		Data:          raw,
	}, nil
}

// Draft is an event a service is about to record: its type and data. The
// outbox fills in the rest of the envelope.
type Draft struct {
	Type string
	Data any
}

// ErrNoData is returned by DataAs for an envelope without a data member.
var ErrNoData = errors.New("event has no data")

// DataAs decodes the envelope's data into a T.
func DataAs[T any](e Envelope) (T, error) {
	var v T
	if len(e.Data) == 0 || string(e.Data) == "null" {
		return v, ErrNoData
	}
	if err := json.Unmarshal(e.Data, &v); err != nil {
		return v, fmt.Errorf("event %s %s: decode data: %w", e.Type, e.ID, err)
	}
	return v, nil
}

// MarshalJSON writes the timestamp as RFC 3339 in UTC.
func (e Envelope) MarshalJSON() ([]byte, error) {
	type plain Envelope
	p := plain(e)
	p.Timestamp = p.Timestamp.UTC()
	return json.Marshal(p)
}
