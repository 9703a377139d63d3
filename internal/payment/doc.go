// Package payment is the payment service's domain: payments and refunds,
// their state machine, the sandbox card rules, the refund policy, the
// failure reasons in words (FailureMessage), the Provider a payment is
// taken through (and its optional hosted checkout), and the use cases of
// the paid half of the booking saga:
//
//   - booking.created → payment and provider intent (requires_payment);
//   - a provider outcome → payment.succeeded, or payment.failed for each
//     declined attempt, the payment staying payable so the client may try
//     again while the booking's hold lasts (the hold is the scheduling
//     service's: this service waits for booking.expired);
//   - booking.cancelled or booking.expired → an unpaid payment canceled
//     (no refund; further attempts refused), a paid one refunded →
//     payment.refunded. CancellationRefund states beforehand what a
//     cancellation at a given time refunds (the same computation) and the
//     policy in words, for a client about to cancel.
//
// Every provider outcome — the sandbox's pay call and a verified webhook
// alike — goes through the same path (Service.ApplyOutcome), so the saga
// sees one; StartCheckout opens the provider's hosted page (Stripe
// Checkout), whose outcome arrives by webhook.
//
// No I/O here: stores, providers, HTTP and event handling live in the
// subpackages.
package payment
