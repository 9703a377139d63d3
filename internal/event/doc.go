// Package event defines the SlotWise event envelope, event ids, subjects,
// NATS header names, the typed payload of every event type, and the context
// values (correlation id, W3C trace context) that travel with an event.
//
// It imports only the standard library and a ULID generator. Publishing,
// consuming and storage belong to package eventbus; JSON Schemas belong to
// package catalog.
package event
