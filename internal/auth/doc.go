// Package auth is the auth service: users with their credentials and roles,
// registration, login with throttling, refresh-token sessions (rotated, with
// reuse detection per family) and the user.created / user.updated /
// user.deleted events, recorded through the outbox in the transaction of the
// change.
//
// The root package holds the domain (auth.go), the password and token rules
// (password.go, refresh.go, throttle.go), the use cases (service.go) and the
// Store interface (store.go). HTTP handlers live in httpapi, the stores in
// postgres and sqlite, their conformance suite in storetest. Access tokens
// are issued through internal/authn, which every service uses to verify them.
package auth
