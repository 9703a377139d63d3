// Package payment is the payment service's domain: payments and refunds,
// their state machine, the sandbox card rules, the refund policy, the
// Provider a payment is taken through, and the use cases of the paid half
// of the booking saga (booking.created → intent; provider outcome →
// payment.succeeded / payment.failed; booking.cancelled or booking.expired
// after payment → refund → payment.refunded).
//
// Every provider outcome — the sandbox's pay call and a verified webhook
// alike — goes through Service.ApplyOutcome, so the saga sees one path.
//
// No I/O here: stores, providers, HTTP and event handling live in the
// subpackages.
package payment
