// Package app is SlotWise's composition root: the typed Config with its
// defaults and Validate, the module table (one entry per service), and App,
// which starts the embedded NATS server, opens one database per service,
// runs each service's outbox relay and consumer runtime, and serves the HTTP
// endpoints (health, readiness, metrics, the OpenAPI document and every
// service's routes).
//
// Flags, environment variables and exit codes do not belong here (package
// cli); business rules do not either (the service packages).
package app
