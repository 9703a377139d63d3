package eventbus

import (
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
)

// NewMsg builds the NATS message for an event: subject slotwise.<type>, the
// JSON envelope as body, and the headers correlation-id, event-id,
// source-service, Nats-Msg-Id (= event id, so JetStream drops a duplicate
// publish) and, when traceparent is not empty, traceparent.
func NewMsg(ev event.Envelope, traceparent string) (*nats.Msg, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("event %s: marshal: %w", ev.ID, err)
	}
	m := nats.NewMsg(ev.Subject())
	m.Data = body
	m.Header.Set(jetstream.MsgIDHeader, ev.ID)
	m.Header.Set(event.HeaderEventID, ev.ID)
	m.Header.Set(event.HeaderSource, ev.Source)
	if ev.CorrelationID != "" {
		m.Header.Set(event.HeaderCorrelationID, ev.CorrelationID)
	}
	if traceparent != "" {
		m.Header.Set(event.HeaderTraceparent, traceparent)
	}
	return m, nil
}

// DecodeEnvelope decodes a message body into an envelope without checking it
// against the catalog.
func DecodeEnvelope(data []byte) (event.Envelope, error) {
	var ev event.Envelope
	if err := json.Unmarshal(data, &ev); err != nil {
		return ev, fmt.Errorf("malformed event JSON: %w", err)
	}
	return ev, nil
}
