// Package money is SlotWise's one way to handle amounts: integer minor
// units (cents; yen for JPY, which has none) inside every service, decimal
// major-unit numbers (150.00) at the edges — in requests, responses and
// events. Currencies are ISO 4217 codes with the minor digits of
// golang.org/x/text/currency. No float arithmetic is done on money: floats
// appear only where JSON carries a number, and are converted exactly.
//
// It has three users (business, scheduling, payment). Arithmetic on
// amounts (refund shares, totals) belongs to the services.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/currency"
)

// MaxMinor bounds amounts so that every amount converts to a float64 (the
// event payloads' type) exactly: 10^15 minor units is below 2^53.
const MaxMinor int64 = 1_000_000_000_000_000

// Errors of Parse, Digits and FromFloat; match them with errors.Is.
var (
	ErrUnknownCurrency = errors.New("unknown currency")
	ErrNotANumber      = errors.New("not a decimal number")
	ErrNegative        = errors.New("negative amount")
	ErrTooManyDecimals = errors.New("more decimals than the currency has")
	ErrTooLarge        = errors.New("amount too large")
	// ErrInvalidAmount is FromFloat's: negative, not finite, too large, or
	// more decimals than the currency has.
	ErrInvalidAmount = errors.New("invalid amount")
)

// Digits returns the number of minor digits of an ISO 4217 currency code
// (upper case, three letters).
func Digits(code string) (int, error) {
	if len(code) != 3 || strings.ToUpper(code) != code {
		return 0, fmt.Errorf("%w %q", ErrUnknownCurrency, code)
	}
	unit, err := currency.ParseISO(code)
	if err != nil {
		return 0, fmt.Errorf("%w %q", ErrUnknownCurrency, code)
	}
	scale, _ := currency.Standard.Rounding(unit)
	return scale, nil
}

// Parse converts a decimal number (a JSON number's text: "150", "150.5",
// "1.5e2") in major units of the currency into minor units. It refuses
// negative amounts, more decimals than the currency has (trailing zeros do
// not count) and amounts above MaxMinor.
func Parse(number, code string) (int64, error) {
	digits, err := Digits(code)
	if err != nil {
		return 0, err
	}
	intPart, frac, exp, neg, err := split(number)
	if err != nil {
		return 0, err
	}
	if neg && strings.Trim(intPart+frac, "0") != "" {
		return 0, ErrNegative
	}
	return shift(intPart+frac, len(intPart)+exp+digits)
}

// shift returns the integer whose decimal digits are all with the point
// after the first point digits; the digits after the point must be zeros.
func shift(all string, point int) (int64, error) {
	switch {
	case point <= 0:
		if strings.Trim(all, "0") != "" {
			return 0, ErrTooManyDecimals
		}
		return 0, nil
	case point < len(all):
		if strings.Trim(all[point:], "0") != "" {
			return 0, ErrTooManyDecimals
		}
		all = all[:point]
	default:
		if len(strings.TrimLeft(all, "0"))+point-len(all) > 18 {
			return 0, ErrTooLarge
		}
		all += strings.Repeat("0", point-len(all))
	}
	all = strings.TrimLeft(all, "0")
	if all == "" {
		return 0, nil
	}
	if len(all) > 18 {
		return 0, ErrTooLarge
	}
	n, err := strconv.ParseInt(all, 10, 64)
	if err != nil || n > MaxMinor {
		return 0, ErrTooLarge
	}
	return n, nil
}

// split parses a JSON number's text into its digits before and after the
// point, its exponent and its sign.
func split(s string) (intPart, frac string, exp int, neg bool, err error) {
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	mant, e, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp {
		exp, err = strconv.Atoi(strings.TrimPrefix(e, "+"))
		if err != nil || exp > 100 || exp < -100 {
			return "", "", 0, false, fmt.Errorf("%w: %q", ErrNotANumber, s)
		}
	}
	intPart, frac, _ = strings.Cut(mant, ".")
	if intPart == "" || !allDigits(intPart) || !allDigits(frac) {
		return "", "", 0, false, fmt.Errorf("%w: %q", ErrNotANumber, s)
	}
	return intPart, frac, exp, neg, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Format writes minor units of the currency as a decimal number in major
// units with exactly the currency's digits ("150.00", "1000" for JPY).
func Format(minor int64, code string) string {
	digits, err := Digits(code)
	if err != nil {
		digits = 2
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	s := strconv.FormatInt(minor, 10)
	if digits == 0 {
		return sign + s
	}
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	return sign + s[:len(s)-digits] + "." + s[len(s)-digits:]
}

// Float returns minor units as a float64 in major units, for the event
// payloads: it parses the exact decimal text, so the result is the float
// nearest to the amount (exact enough to round-trip through JSON for every
// amount up to MaxMinor).
func Float(minor int64, code string) float64 {
	f, _ := strconv.ParseFloat(Format(minor, code), 64) // Format writes a valid number
	return f
}

// FromFloat converts an amount in major units (an event's number) into
// minor units. It refuses negative, non-finite and too large amounts and
// amounts with more decimals than the currency has (1.5 JPY).
func FromFloat(major float64, code string) (int64, error) {
	digits, err := Digits(code)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(major) || math.IsInf(major, 0) || major < 0 {
		return 0, fmt.Errorf("%w: %v", ErrInvalidAmount, major)
	}
	// The shortest decimal text of the float is the number the JSON held.
	text := strconv.FormatFloat(major, 'f', -1, 64)
	intPart, frac, _ := strings.Cut(text, ".")
	if len(strings.TrimRight(frac, "0")) > digits {
		return 0, fmt.Errorf("%w: %s has more than %d decimals for %s", ErrInvalidAmount, text, digits, code)
	}
	frac += strings.Repeat("0", digits-len(frac))
	all := strings.TrimLeft(intPart+frac[:digits], "0")
	if all == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(all, 10, 64)
	if err != nil || n > MaxMinor {
		return 0, fmt.Errorf("%w: %s too large", ErrInvalidAmount, text)
	}
	return n, nil
}
