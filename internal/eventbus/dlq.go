package eventbus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
)

// ErrDLQEntryNotFound is returned when a DLQ sequence holds no dead-lettered
// event.
var ErrDLQEntryNotFound = errors.New("dead letter entry not found")

// dlqVersion is the version of dlq.failed_event written when the catalog
// does not know the type.
const dlqVersion = "1.0"

// DLQ is the dead letter queue: the dlq.failed_event messages on the DLQ
// stream. Entries are listed, counted, and re-driven to the one consumer
// that failed them.
type DLQ struct{ js jetstream.JetStream }

// NewDLQ returns the DLQ on js.
func NewDLQ(js jetstream.JetStream) *DLQ { return &DLQ{js: js} }

// DLQEntry is one dead-lettered event.
type DLQEntry struct {
	Seq           uint64 // sequence in the DLQ stream
	Consumer      string // durable consumer that failed
	Subject       string // subject the event arrived on
	Error         string
	RetryCount    int // attempts made
	Timestamp     time.Time
	OriginalEvent json.RawMessage // the envelope, or a JSON string of non-JSON bytes
	EventID       string          // empty when the original was not an envelope
	EventType     string
}

// deadLetter is what the runtime knows about an event it gives up on.
type deadLetter struct {
	Delivery
	Raw      []byte
	Envelope event.Envelope // as far as it decoded
	Err      error
	Attempts int
	Now      time.Time
}

// msgID is the Nats-Msg-Id of the DLQ publish: the same failure published
// twice (a crash between publish and Term) is dropped by JetStream. A
// re-driven delivery is keyed by its own DLQ sequence, so failing again
// after a re-drive makes a new entry.
func (dl deadLetter) msgID() string {
	key := dl.Envelope.ID
	switch {
	case dl.Redrive:
		key = "redrive-" + strconv.FormatUint(dl.StreamSeq, 10)
	case key == "":
		key = "seq-" + strconv.FormatUint(dl.StreamSeq, 10)
	}
	return dl.Consumer + ":" + key + ":dlq"
}

// originalEvent is the failed message as JSON: the envelope object itself,
// or its bytes as a JSON string when they are not a JSON object.
func originalEvent(raw []byte) json.RawMessage {
	trimmed := bytes.TrimSpace(raw)
	if json.Valid(trimmed) && len(trimmed) > 0 && trimmed[0] == '{' {
		return trimmed
	}
	s, _ := json.Marshal(string(raw)) // a string always marshals
	return s
}

// message builds the dlq.failed_event message.
func (dl deadLetter) message(cat *catalog.Catalog) (*nats.Msg, error) {
	version := dlqVersion
	if v, ok := cat.Version(event.DLQType); ok {
		version = v
	}
	data := event.DLQFailedEvent{
		OriginalEvent: originalEvent(dl.Raw),
		Error:         dl.Err.Error(),
		Timestamp:     dl.Now.UTC(),
		RetryCount:    dl.Attempts,
		Consumer:      dl.Consumer,
		Subject:       dl.Subject,
	}
	env, err := event.New(dl.Now, event.DLQType, version, dl.Service+"-service", dl.Envelope.CorrelationID, data)
	if err != nil {
		return nil, fmt.Errorf("dead letter: %w", err)
	}
	msg, err := NewMsg(env, dl.Header.Get(event.HeaderTraceparent))
	if err != nil {
		return nil, fmt.Errorf("dead letter: %w", err)
	}
	msg.Subject = DLQSubject
	msg.Header.Set(jetstream.MsgIDHeader, dl.msgID())
	return msg, nil
}

// publish sends the dead letter and waits for the DLQ stream's ack. When
// the catalog has a dlq.failed_event schema the message is validated, but
// a mismatch is only returned as invalid (for the log): refusing to
// dead-letter would lose the event.
func (q *DLQ) publish(ctx context.Context, cat *catalog.Catalog, dl deadLetter) (invalid, err error) {
	msg, err := dl.message(cat)
	if err != nil {
		return nil, err
	}
	if _, ok := cat.Version(event.DLQType); ok {
		invalid = cat.ValidateJSON(msg.Data)
	}
	if _, err := q.js.PublishMsg(ctx, msg); err != nil {
		return invalid, fmt.Errorf("publish dead letter %s: %w", msg.Header.Get(jetstream.MsgIDHeader), err)
	}
	return invalid, nil
}

func (q *DLQ) stream(ctx context.Context) (jetstream.Stream, error) {
	s, err := q.js.Stream(ctx, DLQStream)
	if err != nil {
		return nil, fmt.Errorf("dlq stream %s: %w", DLQStream, err)
	}
	return s, nil
}

// List returns the dead-lettered events, oldest first.
func (q *DLQ) List(ctx context.Context) ([]DLQEntry, error) {
	s, err := q.stream(ctx)
	if err != nil {
		return nil, err
	}
	var out []DLQEntry
	for seq := uint64(1); ; {
		m, err := s.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(DLQSubject))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("dlq list from seq %d: %w", seq, err)
		}
		out = append(out, parseEntry(m))
		seq = m.Sequence + 1
	}
}

// parseEntry reads a DLQ message. A message that is not a dlq.failed_event
// envelope is listed with the reason in Error, so it can be seen and
// removed.
func parseEntry(m *jetstream.RawStreamMsg) DLQEntry {
	e := DLQEntry{Seq: m.Sequence, Timestamp: m.Time.UTC()}
	env, err := DecodeEnvelope(m.Data)
	if err != nil {
		e.Error = "unreadable DLQ entry: " + err.Error()
		return e
	}
	data, err := event.DataAs[event.DLQFailedEvent](env)
	if err != nil {
		e.Error = "unreadable DLQ entry: " + err.Error()
		return e
	}
	e.Consumer, e.Subject, e.Error = data.Consumer, data.Subject, data.Error
	e.RetryCount, e.Timestamp, e.OriginalEvent = data.RetryCount, data.Timestamp, data.OriginalEvent
	var head struct{ ID, Type string }
	if json.Unmarshal(data.OriginalEvent, &head) == nil {
		e.EventID, e.EventType = head.ID, head.Type
	}
	return e
}

// Count returns the number of dead-lettered events in the DLQ.
func (q *DLQ) Count(ctx context.Context) (uint64, error) {
	s, err := q.stream(ctx)
	if err != nil {
		return 0, err
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(DLQSubject))
	if err != nil {
		return 0, fmt.Errorf("dlq count: %w", err)
	}
	return info.State.Subjects[DLQSubject], nil
}

// Redrive sends the entry's original event again, to the consumer that
// failed it only (on RedriveSubject), then removes the entry. The publish
// is de-duplicated by the entry's sequence, so re-driving again after a
// failed removal does not deliver twice.
func (q *DLQ) Redrive(ctx context.Context, seq uint64) error {
	s, err := q.stream(ctx)
	if err != nil {
		return err
	}
	m, err := s.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) || err == nil && m.Subject != DLQSubject {
		return fmt.Errorf("redrive %d: %w", seq, ErrDLQEntryNotFound)
	}
	if err != nil {
		return fmt.Errorf("redrive %d: %w", seq, err)
	}
	msg, err := redriveMsg(m)
	if err != nil {
		return fmt.Errorf("redrive %d: %w", seq, err)
	}
	if _, err := q.js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("redrive %d: publish: %w", seq, err)
	}
	if err := s.DeleteMsg(ctx, seq); err != nil {
		return fmt.Errorf("redrive %d: remove entry: %w", seq, err)
	}
	return nil
}

// redriveMsg rebuilds the original event's message for its consumer's
// re-drive subject, with its headers (event id, correlation id, source,
// traceparent) and its original subject.
func redriveMsg(m *jetstream.RawStreamMsg) (*nats.Msg, error) {
	e := parseEntry(m)
	if e.Consumer == "" {
		return nil, fmt.Errorf("entry names no consumer (%s)", e.Error)
	}
	raw := []byte(e.OriginalEvent)
	var s string
	if json.Unmarshal(e.OriginalEvent, &s) == nil {
		raw = []byte(s) // the original bytes were not JSON
	}
	msg := nats.NewMsg(RedriveSubject(e.Consumer))
	msg.Data = raw
	msg.Header.Set(jetstream.MsgIDHeader, "redrive:"+strconv.FormatUint(m.Sequence, 10))
	setIf(msg.Header, HeaderOriginalSubject, e.Subject)
	if env, err := DecodeEnvelope(raw); err == nil {
		setIf(msg.Header, event.HeaderEventID, env.ID)
		setIf(msg.Header, event.HeaderSource, env.Source)
		setIf(msg.Header, event.HeaderCorrelationID, env.CorrelationID)
	}
	setIf(msg.Header, event.HeaderTraceparent, m.Header.Get(event.HeaderTraceparent))
	return msg, nil
}

func setIf(h nats.Header, key, value string) {
	if value != "" {
		h.Set(key, value)
	}
}

// RedriveAll re-drives every entry and returns how many it re-drove.
func (q *DLQ) RedriveAll(ctx context.Context) (int, error) {
	entries, err := q.List(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if err := q.Redrive(ctx, e.Seq); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (q *DLQ) deleteMsg(ctx context.Context, seq uint64) error {
	s, err := q.stream(ctx)
	if err != nil {
		return err
	}
	if err := s.DeleteMsg(ctx, seq); err != nil {
		return fmt.Errorf("dlq delete %d: %w", seq, err)
	}
	return nil
}
