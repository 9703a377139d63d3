// Package money converts the payment service's amounts between the integer
// minor units it keeps (cents; yen for JPY, which has no minor unit) and the
// decimal major-unit numbers the events carry (150.00). Currencies are ISO
// 4217 codes with the minor digits of golang.org/x/text/currency.
//
// Arithmetic beyond conversion does not belong here.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/currency"
)

// MaxMinor bounds amounts so that each converts to a float64 exactly.
const MaxMinor int64 = 1_000_000_000_000_000

// Errors of Digits and FromMajor; match them with errors.Is.
var (
	ErrUnknownCurrency = errors.New("unknown currency")
	ErrInvalidAmount   = errors.New("invalid amount")
)

// Digits returns the number of minor digits of an ISO 4217 code (upper
// case): 2 for EUR, 0 for JPY, 3 for BHD.
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

// FromMajor converts an amount in major units (an event's number) into
// minor units. It refuses negative, non-finite and too large amounts and
// amounts with more decimals than the currency has (1.5 JPY).
func FromMajor(major float64, code string) (int64, error) {
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

// Format writes minor units as a decimal in major units with exactly the
// currency's digits ("150.00", "1500" for JPY).
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

// ToMajor returns minor units as a float64 in major units, for the event
// payloads (the float nearest to the exact decimal).
func ToMajor(minor int64, code string) float64 {
	f, _ := strconv.ParseFloat(Format(minor, code), 64) // Format writes a valid number
	return f
}
