// Package eventbus is the SlotWise event platform every service uses: the
// transactional outbox and its relay to JetStream, the consumer runtime
// (durable consumers, middleware, retries with NakWithDelay, the dead letter
// queue and its re-drive), the JetStream streams, and the platform metrics.
//
// SQL lives per engine in the postgres and sqlite subpackages, which
// implement the store interfaces declared here. Business rules do not belong
// here: a service gives the runtime plain handlers.
package eventbus
