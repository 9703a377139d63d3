// Package notification is the notification service: it tells people what
// happened to their account, bookings and payments (e-mail over SMTP, or
// the log channel), reminds them of bookings, and forwards booking and
// payment events to the businesses' signed webhooks.
//
// It knows only what events told it: recipients (user.*, and a guest's
// contact details on booking.created), businesses (business.*), services
// (service.*) and bookings (booking.*) are projections in its own tables.
// It never reads another service's tables.
//
// # Delivery ledger and its state machine
//
// Every message has a ledger row keyed by (source id, channel, recipient
// address): the source is the event id, or the reminder id for reminders.
// The row holds the recipient, template (kind), status, attempts and the
// provider's message id. Its states:
//
//	pending ──► sending ──► sent
//	               │
//	               └──────► failed ──► sending ──► …  (the next attempt)
//
// pending is a message that is due but not yet attempted: the event not
// yet handled (it waits in the stream, the ledger has no row) or the
// reminder row waiting for its time.
//
// The row is written as sending (attempts incremented) BEFORE the send,
// in the transaction of the cause: the consumer's inbox transaction for
// an event, the claiming transaction (FOR UPDATE SKIP LOCKED) for a
// reminder. After the SMTP server accepted the message the row becomes
// sent with the provider id, notification.sent is recorded in the outbox,
// and all of it commits together with the inbox row (or the reminder's
// new status). So:
//
//   - A redelivered event is skipped by the inbox; an event replayed after
//     the inbox forgot it finds its row sent and sends nothing.
//   - A failed send returns an error: the transaction rolls back and the
//     consumer runtime retries the event with backoff (NakWithDelay) and
//     dead-letters it after the last attempt. The failure itself (status
//     failed, attempts, last error) is written right after the rollback in
//     a transaction of its own; after the last attempt it also records
//     notification.failed. A re-driven event starts another attempt on
//     the same row.
//   - Crash between the send and the commit: the transaction is lost, the
//     row is back to its previous state (none or failed) and the event is
//     redelivered, so the message is sent again — at-least-once towards
//     the SMTP server in that window only. Both copies carry the same
//     Message-ID, derived from the ledger key (DeliveryKey.MessageID), so
//     receivers and mail stores can drop the duplicate. No other path
//     sends a key twice.
//   - One event's transaction sends at most one message (to its client),
//     so a rollback never undoes a sent message's record while another
//     was sent. A second person the event concerns — the business's owner
//     — gets a message rendered in that transaction and queued (see
//     Queued messages), sent in a transaction of its own.
//
// # Messages
//
// Every message about a booking comes from the business: its name as the
// From display name with the configured sender address (names and
// addresses are kept apart down to the SMTP headers, see package mailer),
// Reply-To the owner's address. Each links to the booking's manage page
// (<public URL>/m/<token>, the token derived from the booking id by the
// app's link key: Options.Links); "payment needed" and a failed payment
// link to the payment step (/m/<token>/pay) and state the hold's deadline;
// an expiry or cancellation links to the business's booking page. Times
// are in the reader's zone, named, and in the business's zone when that
// is another. People read words, never codes or ids (words.go). Both parts
// carry the same content; the HTML part is one centered column with
// inline CSS that stays readable when a mail client inverts it.
//
// A confirmation and a move of a confirmed booking attach the invitation
// (METHOD:REQUEST: DESCRIPTION and URL with the manage link, LOCATION,
// ORGANIZER the business, a DISPLAY alarm an hour before); the end of a
// booking that had one attaches METHOD:CANCEL. A booking never confirmed
// (a pending one that expired or was cancelled) gets no CANCEL: there is
// nothing in a calendar to remove (Booking.Invited).
//
// The owner gets a message for each new booking — when it is confirmed: a
// free booking at once, a paid one when paid, never an unpaid hold that
// may expire —, for each move of a confirmed booking and for its
// cancellation, linking to <public URL>/app/bookings/<id> in the owner's
// dashboard; replies go to the client.
//
// # Queued messages
//
// A QueuedMessage is rendered and inserted in its event's transaction
// (once per event, kind and address) and sent by the queue sender
// (SendQueued, run by Run, woken after the event's commit): it claims one
// due message with FOR UPDATE SKIP LOCKED in the transaction that sends
// it, writes the ledger (keyed by the queued message's id) and marks it
// sent. A failed send is retried on the reminders' backoff and the
// message is failed after the last attempt (notification.failed).
//
// # Reminders
//
// A confirmed booking gets reminders at its business's offsets before the
// start (default 24 h and 1 h); a reschedule replaces them, a cancellation
// or expiry drops them. The rows persist; FireDueReminders (run by Run
// every poll interval, by the injected clock) claims due rows one by one
// with FOR UPDATE SKIP LOCKED (on SQLite the write transaction is
// exclusive anyway) in the transaction that sends and records the
// message, so each fires once across instances and restarts.
//
// # Webhooks
//
// Owners register URLs for booking.* and payment.* event types. Each
// matching event queues a delivery (in the event's inbox transaction); the
// dispatcher claims due deliveries (FOR UPDATE SKIP LOCKED), leases them,
// POSTs the event envelope signed with the webhook's secret
// (SignatureHeader: t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<body>")))
// and records the attempt; failures are retried with exponential backoff
// and the delivery is dead after the last attempt (re-sendable).
//
// # Layout
//
//	notification.go, reminder.go,   the domain: types, sentinel errors,
//	queued.go, webhook.go,          templates, invitations, signatures,
//	message.go, ics.go, links.go,   the links and words messages carry
//	words.go, templates/
//	service.go                      Service, Options, the background loops
//	handle.go, projections.go       one On<Type> method per event consumed
//	deliveries.go                   rendering and the ledger's state machine
//	owner.go, queue.go              owner messages and the queue sender
//	reminders.go, webhooks.go       reminder and webhook use cases
//	store.go                        the Store and Events it needs
//	consumer/                       the "events" router: decodes each event for
//	                                its On<Type>, queues webhook deliveries first
//	sqlstore/                       the Store on PostgreSQL and SQLite: SQL once,
//	                                files mirroring these; migrations per engine
//	storetest/                      the Store conformance suite (both engines)
//	httpapi/, mailer/, smtptest/    HTTP, SMTP and log senders, a test server
//
// Events are recorded through the app's *eventbus.Outbox, which satisfies
// Events: no adapter package.
//
// Not here: how mail is put on the wire (package mailer), SQL (package
// sqlstore), HTTP (package httpapi), event decoding and dispatch
// (package consumer).
package notification
