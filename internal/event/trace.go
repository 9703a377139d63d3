package event

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
)

// TraceContext is a W3C Trace Context (https://www.w3.org/TR/trace-context/)
// carried in the "traceparent" header: a 16-byte trace id, the 8-byte id of
// the parent span, and flags.
type TraceContext struct {
	TraceID [16]byte
	SpanID  [8]byte
	Flags   byte
}

// NewTrace starts a new sampled trace with a random trace and span id.
func NewTrace() TraceContext {
	var tc TraceContext
	_, _ = rand.Read(tc.TraceID[:])
	_, _ = rand.Read(tc.SpanID[:])
	tc.Flags = 1
	return tc
}

// Child returns a trace context in the same trace with a new span id: the
// span of the next hop.
func (tc TraceContext) Child() TraceContext {
	c := tc
	_, _ = rand.Read(c.SpanID[:])
	return c
}

// Valid reports whether neither id is all zeros, as the spec requires.
func (tc TraceContext) Valid() bool {
	return tc.TraceID != [16]byte{} && tc.SpanID != [8]byte{}
}

// String formats the traceparent header value (version 00).
func (tc TraceContext) String() string {
	return fmt.Sprintf("00-%s-%s-%02x", hex.EncodeToString(tc.TraceID[:]), hex.EncodeToString(tc.SpanID[:]), tc.Flags)
}

// TraceID returns the trace id in hex (for log lines).
func (tc TraceContext) TraceIDString() string { return hex.EncodeToString(tc.TraceID[:]) }

// ParseTraceparent parses a traceparent header value.
func ParseTraceparent(s string) (TraceContext, error) {
	var tc TraceContext
	parts := strings.Split(strings.TrimSpace(s), "-")
	if len(parts) < 4 || len(parts[0]) != 2 || parts[0] == "ff" {
		return tc, fmt.Errorf("traceparent %q: want version-traceid-spanid-flags", s)
	}
	var version [1]byte
	if err := decodeHex(version[:], parts[0]); err != nil {
		return tc, fmt.Errorf("traceparent %q: version: %w", s, err)
	}
	if parts[0] == "00" && len(parts) != 4 {
		return tc, fmt.Errorf("traceparent %q: version 00 has four fields", s)
	}
	if err := decodeHex(tc.TraceID[:], parts[1]); err != nil {
		return tc, fmt.Errorf("traceparent %q: trace id: %w", s, err)
	}
	if err := decodeHex(tc.SpanID[:], parts[2]); err != nil {
		return tc, fmt.Errorf("traceparent %q: parent id: %w", s, err)
	}
	var flags [1]byte
	if err := decodeHex(flags[:], parts[3]); err != nil {
		return tc, fmt.Errorf("traceparent %q: flags: %w", s, err)
	}
	tc.Flags = flags[0]
	if !tc.Valid() {
		return tc, fmt.Errorf("traceparent %q: all-zero id", s)
	}
	return tc, nil
}

func decodeHex(dst []byte, s string) error {
	if len(s) != 2*len(dst) || strings.ToLower(s) != s {
		return fmt.Errorf("want %d lowercase hex digits", 2*len(dst))
	}
	_, err := hex.Decode(dst, []byte(s))
	return err
}
