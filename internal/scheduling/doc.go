// Package scheduling is the scheduling service's domain: its read models of
// businesses, services, staff and opening hours (projections of the
// business service's events; it never reads another service's tables), the
// bookings it owns, and the use cases — free slots, booking with no double
// booking ever, cancel, reschedule, a booking by its manage link, a
// client's own bookings, and the booking-payment saga (payment succeeded →
// confirmed, unpaid hold → expired; a failed payment leaves the booking
// pending, so that the client may try again until the hold ends).
//
// Layout: scheduling.go (types, statuses, sentinel errors), projection.go
// (applying business.*, service.*, staff.*, availability.* events),
// slots.go (the slot query, fed by one range query and the pure package
// slots; a search may leave one booking out, the one being moved, so that
// it offers what Reschedule accepts), booking.go (creating bookings with
// the client's optional note, idempotency), manage.go (read,
// cancel, reschedule, a business's list), mine.go (a booking by its manage
// token, a client's own bookings page by page), saga.go (payment events
// and hold expiry), hold.go (the hold sweeper's loop), store.go (the Store
// and Events interfaces). Subpackages: slots (the pure slot computation),
// httpapi, consumer (event routers and the projections' replay), sqlstore
// (the Store on PostgreSQL and SQLite, SQL written once) and storetest
// (its conformance suite). Events are recorded through the app's
// *eventbus.Outbox, which meets Events as it is; internal/money converts
// event amounts to minor units; internal/managetoken derives manage
// tokens.
//
// No double booking: a booking blocks [start - bufferBefore, end +
// bufferAfter) of its staff member while pending or confirmed. On
// PostgreSQL an exclusion constraint over that range per staff member
// refuses an overlapping row whatever the application does; on SQLite the
// overlap check runs inside the single writer's transaction. Either way the
// loser sees ErrSlotTaken (409 slot_taken).
//
// Manage links: every booking, a guest's or a registered client's, has a
// manage token derived from its id with the app's link key, so that an
// Idempotency-Key replay, the notification service's e-mails and the web
// pages can give it again; only its hash is stored (and sent in
// booking.created). Its holder acts on that one booking as its client.
// Whether a booking is a guest's is told by its client id ("guest_…"),
// not by the token.
package scheduling
