// Package business is the business service's domain: businesses (with a
// unique subdomain and an IANA time zone), the services they sell (called
// Offering here, so as not to clash with the use-case Service), their staff,
// staff opening hours and the booking rules; the use cases that change them
// and the events each change records; and the owner projection built from
// the auth service's user.* events.
//
// Layout: business.go, offering.go, staff.go, availability.go hold the
// types and their invariants (no I/O); service.go the use cases; store.go
// the Store and Events interfaces the use cases need. Adapters live in
// subpackages: httpapi (HTTP handlers and DTOs), consumer (event handlers),
// postgres and sqlite (the Store per engine), outbox (Events on the
// eventbus outbox), storetest (the conformance suite), money (decimal ↔
// minor units). Nothing here imports another service or infrastructure.
//
// The implicit staff member: a new business gets one staff member flagged
// implicit, named after its owner (from the owner projection; "Owner" until
// the user's event arrives, renamed by staff.updated when it does). It
// performs every service (its serviceIds is empty). When the first staff
// member is added explicitly, the implicit one retires: it is deleted with
// its opening hours and staff.deleted is recorded.
package business
