// Package eventbustest holds helpers for tests of the event platform and of
// services' event handlers: valid test events, publishing them straight to
// JetStream, and waiting on conditions.
package eventbustest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
)

// BookingCreated returns a valid booking.created 1.0 envelope with a fresh
// id and correlation id.
func BookingCreated(t testing.TB) event.Envelope {
	t.Helper()
	start := time.Date(2024, 1, 15, 14, 0, 0, 0, time.UTC)
	ev, err := event.New(time.Now(), event.TypeBookingCreated, "1.0", "scheduling-service", "",
		map[string]any{
			"bookingId": "booking_" + event.NewID(), "businessId": "biz_101", "serviceId": "svc_202",
			"clientId": "client_404", "startTime": start, "endTime": start.Add(time.Hour),
			"totalAmount": 150.0, "requiresPayment": true,
		})
	if err != nil {
		t.Fatalf("booking.created: %v", err)
	}
	return ev
}

// EnvelopeJSON marshals ev, optionally changing its JSON members first
// (a nil value deletes the member; "data.x" addresses a data member), to
// build events the catalog rejects.
func EnvelopeJSON(t testing.TB, ev event.Envelope, change map[string]any) []byte {
	t.Helper()
	var doc map[string]any
	raw, err := json.Marshal(ev)
	if err == nil {
		err = json.Unmarshal(raw, &doc)
	}
	if err != nil {
		t.Fatalf("envelope json: %v", err)
	}
	for k, v := range change {
		target, key := doc, k
		if rest, ok := cutData(k); ok {
			target, key = doc["data"].(map[string]any), rest
		}
		if v == nil {
			delete(target, key)
		} else {
			target[key] = v
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("envelope json: %v", err)
	}
	return out
}

func cutData(k string) (string, bool) {
	const p = "data."
	if len(k) > len(p) && k[:len(p)] == p {
		return k[len(p):], true
	}
	return "", false
}

// PublishEnvelope publishes ev as the outbox relay would (eventbus.NewMsg)
// and waits for the stream's ack. A non-empty msgID replaces Nats-Msg-Id,
// to get the same event past JetStream's de-duplication.
func PublishEnvelope(t testing.TB, js jetstream.JetStream, ev event.Envelope, msgID, traceparent string) {
	t.Helper()
	msg, err := eventbus.NewMsg(ev, traceparent)
	if err != nil {
		t.Fatalf("publish %s: %v", ev.ID, err)
	}
	if msgID != "" {
		msg.Header.Set(jetstream.MsgIDHeader, msgID)
	}
	publishMsg(t, js, msg)
}

// PublishRaw publishes data as it is on subject and waits for the ack.
func PublishRaw(t testing.TB, js jetstream.JetStream, subject string, data []byte) {
	t.Helper()
	msg := nats.NewMsg(subject)
	msg.Data = data
	publishMsg(t, js, msg)
}

func publishMsg(t testing.TB, js jetstream.JetStream, msg *nats.Msg) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		t.Fatalf("publish on %s: %v", msg.Subject, err)
	}
}

// AwaitCondition polls cond until it holds, failing the test with what
// after timeout.
func AwaitCondition(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ConsumerInfo returns the current info of a durable consumer.
func ConsumerInfo(t testing.TB, js jetstream.JetStream, stream, durable string) *jetstream.ConsumerInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := js.Consumer(ctx, stream, durable)
	if err != nil {
		t.Fatalf("consumer %s: %v", durable, err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatalf("consumer %s info: %v", durable, err)
	}
	return info
}

// AwaitSettled waits until durable has had every message of its stream
// delivered and acknowledged (or terminated).
func AwaitSettled(t testing.TB, js jetstream.JetStream, stream, durable string) {
	t.Helper()
	AwaitCondition(t, 10*time.Second, durable+" to settle every message", func() bool {
		info := ConsumerInfo(t, js, stream, durable)
		return info.NumPending == 0 && info.NumAckPending == 0 && info.NumRedelivered == 0
	})
}
