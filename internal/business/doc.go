// Package business is the business service's domain: businesses (with a
// unique subdomain and an IANA time zone), the services they sell (called
// Offering here, so as not to clash with the use-case Service), their staff,
// staff opening hours and the booking rules; the use cases that change them
// and the events each change records; and the owner projection built from
// the auth service's user.* events.
//
// Layout: business.go, offering.go, staff.go, availability.go hold the
// types and their invariants (no I/O), profile.go the checks of a
// business's public profile (description, address, and the embed origins
// the web's CSP frame-ancestors names); service.go, service_offerings.go,
// service_staff.go, owners.go (the owner projection) and public.go (what
// anyone may read of a business, by subdomain or by id) the use cases; events.go the events' payloads; store.go the Store and Events
// interfaces the use cases need (the app passes the eventbus Outbox as
// Events). Adapters live in subpackages: httpapi (HTTP handlers and DTOs),
// consumer (event handlers), sqlstore (the Store on PostgreSQL and SQLite,
// its files named after these), storetest (the Store conformance suite).
// This package imports only the standard library, event, apperr and money
// (decimal ↔ minor units, shared with the other services that price
// things); never another service or infrastructure.
//
// The implicit staff member: a new business gets one staff member flagged
// implicit, named after its owner (from the owner projection; "Owner" until
// the user's event arrives, renamed by staff.updated when it does). It
// performs every service (its serviceIds is empty). When the first staff
// member is added explicitly, the implicit one retires: it is deleted with
// its opening hours and staff.deleted is recorded.
package business
