// Package money converts the decimal amounts of events (JSON numbers in
// major currency units, e.g. 150.00) to the integer minor units the
// scheduling service keeps, and back, without float arithmetic on the
// amounts themselves. Currencies are ISO 4217 codes with the minor digits
// of golang.org/x/text/currency.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/currency"
)

// ErrUnknownCurrency: not an ISO 4217 code.
var ErrUnknownCurrency = errors.New("unknown currency")

// Digits returns the minor digits of an ISO 4217 code (EUR 2, JPY 0).
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

// FromFloat converts an event's amount in major units to minor units,
// rounding to the currency's digits (an amount written as the decimal
// 49.90 arrives as the float nearest to it; rounding recovers 4990).
func FromFloat(amount float64, code string) (int64, error) {
	digits, err := Digits(code)
	if err != nil {
		return 0, err
	}
	if amount < 0 || math.IsNaN(amount) || math.IsInf(amount, 0) {
		return 0, fmt.Errorf("amount %v is not a non-negative number", amount)
	}
	s := strconv.FormatFloat(amount, 'f', digits, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %v: %w", amount, err)
	}
	return n, nil
}

// Format writes minor units as a decimal in major units with the
// currency's digits ("150.00", "1000" for JPY).
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

// Float returns minor units as the float64 nearest to the decimal amount
// in major units, for event payloads.
func Float(minor int64, code string) float64 {
	f, _ := strconv.ParseFloat(Format(minor, code), 64) // Format writes a valid number
	return f
}
