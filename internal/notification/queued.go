package notification

import "time"

// Queued message statuses.
const (
	QueuedWaiting = "queued" // due at DueAt, or retried then
	QueuedSent    = "sent"
	QueuedFailed  = "failed" // the last attempt failed
)

// QueuedMessage is a message rendered in the transaction of the event
// that caused it and sent afterwards by the queue sender (SendQueued), in
// a transaction of its own. It is how one event tells a second person —
// the owner, beside the client the handler writes to directly — while
// every transaction still sends at most one message: a failed send rolls
// back only its own transaction, never another message's record.
type QueuedMessage struct {
	ID          string // "qmsg_…"; the source of its ledger key
	SourceID    string // the event that caused it
	Kind        string
	RecipientID string
	// Message is the rendered message (To, names, Reply-To, subject and
	// both parts; no calendar).
	Message     Message
	Correlation string // the cause's correlation id, for the events recorded
	DueAt       time.Time
	Status      string
	Attempts    int
	LastError   string
	CreatedAt   time.Time
}
