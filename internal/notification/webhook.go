package notification

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Webhook is a business's registration of a URL for some event types.
type Webhook struct {
	ID         string
	BusinessID string
	URL        string
	EventTypes []string
	// Secret signs the deliveries; shown to the owner once, at creation.
	Secret    string
	CreatedAt time.Time
}

// Webhook delivery statuses: pending (due at NextAttemptAt; a claimed one
// is pending with its lease as NextAttemptAt), delivered, dead (the last
// attempt failed; POST …/resend makes it pending again).
const (
	WebhookPending   = "pending"
	WebhookDelivered = "delivered"
	WebhookDead      = "dead"
)

// WebhookDelivery is one event to POST to one webhook.
type WebhookDelivery struct {
	ID             string
	WebhookID      string
	BusinessID     string
	EventID        string
	EventType      string
	Body           []byte // the event envelope as published
	Status         string
	Attempts       int // attempts of the current round (reset by a resend)
	NextAttemptAt  time.Time
	LastStatusCode int
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	History        []WebhookAttempt // every attempt, oldest first
}

// WebhookAttempt is one POST of a delivery.
type WebhookAttempt struct {
	DeliveryID string
	Attempt    int // 1-based over the delivery's whole life
	At         time.Time
	StatusCode int // 0 when no response
	Error      string
	Duration   time.Duration
}

// WebhookEventTypes are the event types a webhook may subscribe to.
var WebhookEventTypes = []string{
	"booking.created", "booking.confirmed", "booking.rescheduled", "booking.cancelled", "booking.expired",
	"payment.succeeded", "payment.failed", "payment.refunded",
}

// SignatureHeader carries a delivery's signature: "t=<unix>,v1=<hex>",
// the hex HMAC-SHA256 of "<unix>.<body>" under the webhook's secret.
const SignatureHeader = "SlotWise-Signature"

// Validation errors of a webhook registration.
var (
	ErrWebhookURL    = errors.New("url must be an absolute http or https URL")
	ErrWebhookEvents = errors.New("eventTypes must name at least one of " + strings.Join(WebhookEventTypes, ", "))
)

// ValidateWebhook checks a registration's URL and event types, returning
// the field at fault with the error.
func ValidateWebhook(rawURL string, types []string) (field string, err error) {
	u, perr := url.Parse(rawURL)
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "url", ErrWebhookURL
	}
	if len(types) == 0 {
		return "eventTypes", ErrWebhookEvents
	}
	for i, t := range types {
		if !slices.Contains(WebhookEventTypes, t) {
			return fmt.Sprintf("eventTypes[%d]", i), fmt.Errorf("unknown event type %q: %w", t, ErrWebhookEvents)
		}
	}
	return "", nil
}

// NewWebhookSecret returns a fresh random signing secret.
func NewWebhookSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return "whsec_" + hex.EncodeToString(b), nil
}

// Sign returns the SignatureHeader value of body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Signature verification errors.
var (
	ErrSignatureFormat = errors.New("webhook signature: malformed header")
	ErrSignatureStale  = errors.New("webhook signature: timestamp outside tolerance")
	ErrSignatureMatch  = errors.New("webhook signature: no match")
)

// Verify checks a SignatureHeader value against body as a receiver would:
// the timestamp within tolerance of now (against replays) and one v1
// signature matching in constant time.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case !ok:
			return ErrSignatureFormat
		case k == "t":
			ts = v
		case k == "v1":
			sigs = append(sigs, v)
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrSignatureFormat
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return ErrSignatureStale
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrSignatureMatch
}

// Backoff is an exponential retry schedule: after the n-th failed attempt
// wait Base × 2^(n-1), at most Max.
type Backoff struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// Delay returns the wait after the attempt-th failure (attempt ≥ 1).
func (b Backoff) Delay(attempt int) time.Duration {
	d := b.Base
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}
