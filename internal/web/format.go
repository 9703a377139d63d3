package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/money"
)

// Layouts of dates and times as people read them (English for now).
const (
	dayLayout   = "Monday 2 January 2006"
	monthLayout = "January 2006"
	clockLayout = "15:04"
)

// zoneAbbr names t's zone briefly: "CET", or "UTC+03" where the zone
// database has no abbreviation.
func zoneAbbr(t time.Time) string {
	a := t.Format("MST")
	if strings.HasPrefix(a, "+") || strings.HasPrefix(a, "-") {
		return "UTC" + a
	}
	return a
}

// clock is "10:00 CET".
func clock(t time.Time) string { return t.Format(clockLayout) + " " + zoneAbbr(t) }

// span is "Tuesday 8 December 2026, 10:00–10:30 CET" (the end's date when
// it differs).
func span(start, end time.Time) string {
	s := start.Format(dayLayout) + ", " + start.Format(clockLayout) + "–"
	if y, m, d := end.Date(); y != start.Year() || m != start.Month() || d != start.Day() {
		s += end.Format(dayLayout) + ", "
	}
	return s + end.Format(clockLayout) + " " + zoneAbbr(end)
}

// zoneLabel is "Europe/Berlin (CET)" at instant t.
func zoneLabel(loc *time.Location, t time.Time) string {
	return loc.String() + " (" + zoneAbbr(t.In(loc)) + ")"
}

// currencySymbols are the currencies written with a symbol before the
// amount; others are written "120.00 SEK".
var currencySymbols = map[string]string{
	"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩",
	"AUD": "A$", "CAD": "CA$", "NZD": "NZ$", "BRL": "R$", "MXN": "MX$", "CNY": "CN¥",
}

// price writes minor units of a currency for people: "€45.00", "Free".
func price(minor int64, currency string) string {
	if minor == 0 {
		return "Free"
	}
	amount := money.Format(minor, currency)
	if sym, ok := currencySymbols[currency]; ok {
		return sym + amount
	}
	return amount + " " + currency
}

// amount is price without "Free": "€0.00" for nothing.
func amount(minor int64, currency string) string {
	if minor == 0 {
		return strings.Replace(price(1, currency), money.Format(1, currency), money.Format(0, currency), 1)
	}
	return price(minor, currency)
}

// duration writes minutes as "30 min", "1 h", "1 h 30 min".
func duration(minutes int) string {
	h, m := minutes/60, minutes%60
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

// plural is "1 free time", "3 free times".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
