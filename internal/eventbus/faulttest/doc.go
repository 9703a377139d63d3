// Package faulttest holds the event platform's fault suite: processes that
// write through the outbox and consume through the runtime are killed with
// SIGKILL mid-stream, again and again, and the test then checks that nothing
// acknowledged was lost, nothing was published twice, per-aggregate order
// held and every effect was applied exactly once.
//
// It is slow by design and runs only with SLOTWISE_FAULT=1 (.ci/run sets
// it); `go test ./...` skips it.
package faulttest
