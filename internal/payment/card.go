package payment

import (
	"strings"

	"github.com/slotwise/slotwise/internal/apperr"
)

// The sandbox's test cards, as in Stripe's test mode.
const (
	CardSucceeds          = "4242424242424242"
	CardDeclined          = "4000000000000002"
	CardInsufficientFunds = "4000000000009995"
)

// Failure reasons of declined sandbox cards.
const (
	ReasonCardDeclined      = "card_declined"
	ReasonInsufficientFunds = "insufficient_funds"
)

// SandboxCharge decides a sandbox payment by its card number (spaces
// allowed): the outcome kind and, for a decline, the failure reason. Other
// numbers are refused (422, or 400 when not a card number at all).
func SandboxCharge(cardNumber string) (OutcomeKind, string, error) {
	n := strings.ReplaceAll(cardNumber, " ", "")
	switch n {
	case CardSucceeds:
		return OutcomeSucceeded, "", nil
	case CardDeclined:
		return OutcomeFailed, ReasonCardDeclined, nil
	case CardInsufficientFunds:
		return OutcomeFailed, ReasonInsufficientFunds, nil
	}
	if len(n) < 12 || len(n) > 19 || strings.Trim(n, "0123456789") != "" {
		return "", "", apperr.Field(apperr.Invalid, "cardNumber", "cardNumber must be 12 to 19 digits (spaces allowed)")
	}
	return "", "", apperr.Field(apperr.Unprocessable, "cardNumber",
		"the sandbox knows 4242 4242 4242 4242 (succeeds), 4000 0000 0000 0002 (declined) and 4000 0000 0000 9995 (insufficient funds)").
		WithReason("unknown_test_card")
}
