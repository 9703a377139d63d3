// Package scheduling is the scheduling service's domain: its read models of
// businesses, services, staff and opening hours (projections of the
// business service's events; it never reads another service's tables), the
// bookings it owns, and the use cases — free slots, booking with no double
// booking ever, cancel, reschedule, and the booking-payment saga (payment
// succeeded → confirmed, payment failed → cancelled, unpaid hold → expired).
//
// Layout: scheduling.go (types, statuses, sentinel errors), projection.go
// (applying business.*, service.*, staff.*, availability.* events),
// slots.go (the slot query, fed by one range query and the pure package
// slots), booking.go (creating bookings, idempotency), manage.go (read,
// cancel, reschedule, list), saga.go (payment events and hold expiry),
// hold.go (the hold sweeper's loop), store.go (the Store and Events
// interfaces). Subpackages: slots (the pure slot computation), httpapi,
// consumer (event routers and the projections' replay), sqlstore (the
// Store on PostgreSQL and SQLite, SQL written once) and storetest (its
// conformance suite). Events are recorded through the app's
// *eventbus.Outbox, which meets Events as it is; internal/money converts
// event amounts to minor units.
//
// No double booking: a booking blocks [start - bufferBefore, end +
// bufferAfter) of its staff member while pending or confirmed. On
// PostgreSQL an exclusion constraint over that range per staff member
// refuses an overlapping row whatever the application does; on SQLite the
// overlap check runs inside the single writer's transaction. Either way the
// loser sees ErrSlotTaken (409 slot_taken).
package scheduling
