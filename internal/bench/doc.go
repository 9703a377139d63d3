// Package bench measures SlotWise on this machine, as `slotwise bench`
// scenarios with JSON results:
//
//   - Publish: the raw JetStream publish rate of an embedded nats-server —
//     the ceiling the others are divided by;
//   - Outbox: the transactional outbox on SQLite or PostgreSQL — how fast
//     the relay drains a backlog, and commit-to-consumed latency at a fixed
//     offered rate;
//   - Slots: the public slot search's code path (store reads, the busy
//     range query, slots.Compute) with 0 / 10k / 100k existing bookings;
//   - Booking: HTTP bookings on distinct free slots against a started App,
//     beside the same-shape raw SQL transaction rate;
//   - Contention: many clients racing for one slot (exactly one winner).
//
// Every run starts its own embedded nats-server and fresh databases, and
// cleans them up. Flag parsing and output formatting belong to `slotwise
// bench` (package cli); the figures and how they were obtained are in
// BENCHMARKS.md. Speed is measured here, never asserted by tests.
package bench
