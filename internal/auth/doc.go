// Package auth is the auth service: users with their credentials and roles,
// registration, login with throttling, refresh-token sessions (rotated, with
// reuse detection per family) and the user.created / user.updated /
// user.deleted events, recorded through the outbox in the transaction of the
// change.
//
// The root package holds the domain (auth.go), the password and token rules
// (password.go, refresh.go, throttle.go), the use cases (service.go,
// login.go, me.go) and the interfaces they need, declared where they are
// used: Store (store.go; its Atomically carries the transaction in the
// context), Events (the outbox), PasswordHasher and TokenIssuer. It
// imports only the standard library, internal/event and internal/apperr
// (and ulid for ids); infrastructure lives in the subpackages:
//
//   - sqlstore: the Store on PostgreSQL and SQLite, SQL written once, with
//     the migrations per engine;
//   - storetest: the Store's conformance suite, run on every engine;
//   - password: the PasswordHasher on bcrypt (over a SHA-256 pre-hash);
//   - httpapi: the HTTP handlers.
//
// Access tokens are signed by internal/authn, which every service uses to
// verify them; the app (internal/app/mod_auth.go) adapts it to TokenIssuer
// and passes the *eventbus.Outbox as Events.
package auth
