package notification

import (
	"regexp"
	"strings"
)

// People read words, never the codes events carry ("card_declined",
// "booking_expired"): these turn a code into a sentence, and leave out a
// code they do not know rather than show it.

// codeLike matches a machine code: lower-case words joined by "_".
var codeLike = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)+$`)

// PaymentFailureWords says why a payment attempt failed, from the
// provider's failure code (payment.failed's failureReason).
func PaymentFailureWords(code string) string {
	switch code {
	case "card_declined", "generic_decline", "do_not_honor":
		return "Your card was declined."
	case "insufficient_funds":
		return "Your card has insufficient funds."
	case "expired_card":
		return "Your card has expired."
	case "incorrect_cvc", "invalid_cvc":
		return "The card's security code was not correct."
	case "incorrect_number", "invalid_number":
		return "The card number was not correct."
	case "lost_card", "stolen_card":
		return "Your card was declined."
	}
	return "The payment could not be completed."
}

// CancellationWords renders the reason of a cancellation: a known code in
// words, a person's own reason as they wrote it, an unknown code as ""
// (left out).
func CancellationWords(reason string) string {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "payment_failed":
		return "The payment did not go through."
	case codeLike.MatchString(reason):
		return ""
	}
	return reason
}

// RefundWords says why a payment was refunded. Refund reasons are the
// payment service's codes, never a person's words, so an unknown one is
// "" (left out).
func RefundWords(reason string) string {
	switch {
	case reason == "booking_cancelled":
		return "The booking was cancelled."
	case reason == "booking_expired":
		return "The booking expired before the payment arrived."
	case strings.HasPrefix(reason, "paid_after_booking_"):
		return "The payment arrived after the booking had ended."
	}
	return ""
}
