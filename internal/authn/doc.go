// Package authn issues and verifies SlotWise access tokens — short-lived
// JWTs (EdDSA, golang-jwt) carrying the user id and role, signed with a key
// that has a key id so keys can rotate — and provides the HTTP middleware
// that puts the caller's Principal into the request context.
//
// Users, passwords and refresh tokens belong to the auth service, not here:
// every service verifies tokens, only auth issues them.
package authn
