package payment

// failureMessages put the failure reasons people meet in words: the
// sandbox's two, and the decline and error codes Stripe reports most
// (https://docs.stripe.com/declines/codes). Codes that hint at fraud get
// the plain decline message, as Stripe advises.
var failureMessages = map[string]string{
	ReasonCardDeclined:                      "Your card was declined.",
	ReasonInsufficientFunds:                 "Your card has insufficient funds.",
	"generic_decline":                       "Your card was declined.",
	"do_not_honor":                          "Your card was declined.",
	"fraudulent":                            "Your card was declined.",
	"lost_card":                             "Your card was declined.",
	"stolen_card":                           "Your card was declined.",
	"pickup_card":                           "Your card was declined.",
	"restricted_card":                       "Your card was declined.",
	"security_violation":                    "Your card was declined.",
	"transaction_not_allowed":               "Your card was declined.",
	"expired_card":                          "Your card has expired.",
	"incorrect_cvc":                         "Your card's security code is incorrect.",
	"invalid_cvc":                           "Your card's security code is incorrect.",
	"incorrect_number":                      "Your card number is incorrect.",
	"invalid_number":                        "Your card number is incorrect.",
	"invalid_expiry_month":                  "Your card's expiry date is incorrect.",
	"invalid_expiry_year":                   "Your card's expiry date is incorrect.",
	"incorrect_zip":                         "Your card's postal code is incorrect.",
	"card_velocity_exceeded":                "Your card has reached its spending limit.",
	"withdrawal_count_limit_exceeded":       "Your card has reached its spending limit.",
	"card_not_supported":                    "Your card does not support this kind of payment.",
	"currency_not_supported":                "Your card does not support this currency.",
	"authentication_required":               "Your bank asked to confirm this payment, and it was not confirmed.",
	"payment_intent_authentication_failure": "Your bank asked to confirm this payment, and it was not confirmed.",
	"processing_error":                      "An error occurred while processing your card.",
	"try_again_later":                       "Your bank could not take the payment just now.",
	"issuer_not_available":                  "Your bank could not be reached.",
}

// genericFailure is the message of a reason not in the table.
const genericFailure = "Your payment did not go through."

// FailureMessage puts a payment's failure reason (Payment.FailureReason,
// payment.failed's failureReason) in a sentence a person can read, for
// pages and e-mails: "Your card was declined." An unknown reason gets a
// general sentence, never the code; an empty one, "".
func FailureMessage(reason string) string {
	if reason == "" {
		return ""
	}
	if m, ok := failureMessages[reason]; ok {
		return m
	}
	return genericFailure
}
