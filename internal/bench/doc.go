// Package bench measures the event platform on this machine: the raw
// JetStream publish rate of an embedded nats-server (Publish), and the
// transactional outbox on SQLite or PostgreSQL — how fast the relay drains a
// backlog, and the commit-to-consumed latency at a fixed offered rate
// (Outbox). Every run starts its own embedded nats-server and a fresh
// database, and cleans both up.
//
// Flag parsing and output formatting belong to `slotwise bench` (package
// cli); the figures and how they were obtained are in BENCHMARKS.md.
package bench
