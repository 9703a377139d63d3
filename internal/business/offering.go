package business

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/money"
)

// Offering is a service a business sells (the API's and the events'
// "service"). Money is integer minor units of Currency.
type Offering struct {
	ID              string
	BusinessID      string
	Name            string
	Description     string
	DurationMinutes int
	PriceMinor      int64
	Currency        string
	BufferBefore    int // minutes blocked before a booking
	BufferAfter     int // minutes blocked after a booking
	RequiresPayment bool
	Rules           RuleOverrides // overrides of the business's rules
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Price returns the price as a decimal number in major units ("150.00").
func (o Offering) Price() string { return money.Format(o.PriceMinor, o.Currency) }

// Duration and buffer bounds, in minutes.
const (
	MinDuration = 5
	MaxDuration = 24 * 60
	MaxBuffer   = 24 * 60
)

// OfferingInput is the input of CreateOffering (Name, Duration, Price and
// Currency required) and UpdateOffering (every field optional). Price is the
// text of a JSON number in major units of the currency.
type OfferingInput struct {
	Name            *string
	Description     *string
	Duration        *int
	Price           *string
	Currency        *string
	BufferBefore    *int
	BufferAfter     *int
	RequiresPayment *bool
	Rules           *RuleOverrides
}

// Build validates a new service of businessID.
func (in OfferingInput) Build(businessID string) (Offering, error) {
	switch {
	case in.Name == nil:
		return Offering{}, missing("name")
	case in.Duration == nil:
		return Offering{}, missing("duration")
	case in.Price == nil:
		return Offering{}, missing("price")
	case in.Currency == nil:
		return Offering{}, missing("currency")
	}
	o := Offering{BusinessID: businessID}
	if _, err := in.ApplyTo(&o, true); err != nil {
		return Offering{}, err
	}
	return o, nil
}

// ApplyTo validates in and applies it to o, returning the changes by their
// JSON names (service.updated's "changes"). When created, RequiresPayment
// defaults to price > 0.
func (in OfferingInput) ApplyTo(o *Offering, created bool) (map[string]any, error) {
	changes := map[string]any{}
	steps := []func(*Offering, map[string]any) error{
		in.applyText, in.applyTimes, in.applyMoney, in.applyRules,
	}
	for _, step := range steps {
		if err := step(o, changes); err != nil {
			return nil, err
		}
	}
	if created && in.RequiresPayment == nil {
		o.RequiresPayment = o.PriceMinor > 0
	}
	if o.RequiresPayment && o.PriceMinor == 0 {
		return nil, apperr.Field(apperr.Invalid, "requiresPayment", "requiresPayment needs a price above 0")
	}
	return changes, nil
}

func (in OfferingInput) applyText(o *Offering, changes map[string]any) error {
	if in.Name != nil {
		name, err := CheckName("name", *in.Name)
		if err != nil {
			return err
		}
		setIfChanged(changes, "name", &o.Name, name)
	}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		if utf8.RuneCountInString(d) > MaxDescriptionLen {
			return apperr.Field(apperr.Invalid, "description", "description must be at most %d characters", MaxDescriptionLen)
		}
		setIfChanged(changes, "description", &o.Description, d)
	}
	return nil
}

func (in OfferingInput) applyTimes(o *Offering, changes map[string]any) error {
	fields := []struct {
		name   string
		v      *int
		lo, hi int
		dst    *int
	}{
		{"duration", in.Duration, MinDuration, MaxDuration, &o.DurationMinutes},
		{"bufferBefore", in.BufferBefore, 0, MaxBuffer, &o.BufferBefore},
		{"bufferAfter", in.BufferAfter, 0, MaxBuffer, &o.BufferAfter},
	}
	for _, f := range fields {
		if err := checkRange(f.name, f.v, f.lo, f.hi); err != nil {
			return err
		}
		if f.v != nil {
			setIfChanged(changes, f.name, f.dst, *f.v)
		}
	}
	if in.RequiresPayment != nil {
		setIfChanged(changes, "requiresPayment", &o.RequiresPayment, *in.RequiresPayment)
	}
	return nil
}

func (in OfferingInput) applyMoney(o *Offering, changes map[string]any) error {
	cur := o.Currency
	if in.Currency != nil {
		if _, err := money.Digits(*in.Currency); err != nil {
			return apperr.Field(apperr.Invalid, "currency", "currency must be an ISO 4217 code such as EUR, not %q", *in.Currency)
		}
		cur = *in.Currency
	}
	price := o.PriceMinor
	if in.Price != nil {
		p, err := money.Parse(*in.Price, cur)
		if err != nil {
			return priceError(err, cur)
		}
		price = p
	} else if cur != o.Currency {
		// The stored amount is in the old currency's minor units.
		p, err := money.Parse(o.Price(), cur)
		if err != nil {
			return priceError(err, cur)
		}
		price = p
	}
	if cur != o.Currency {
		o.Currency = cur
		changes["currency"] = cur
	}
	if price != o.PriceMinor || changes["currency"] != nil {
		o.PriceMinor = price
		changes["price"] = json.Number(o.Price())
	}
	return nil
}

func priceError(err error, cur string) error {
	switch {
	case errors.Is(err, money.ErrNegative):
		return apperr.Field(apperr.Invalid, "price", "price must not be negative")
	case errors.Is(err, money.ErrTooManyDecimals):
		digits, _ := money.Digits(cur)
		return apperr.Field(apperr.Invalid, "price", "price has more decimals than %s allows (%d)", cur, digits)
	case errors.Is(err, money.ErrTooLarge):
		return apperr.Field(apperr.Invalid, "price", "price is too large")
	}
	return apperr.Field(apperr.Invalid, "price", "price must be a decimal number")
}

func (in OfferingInput) applyRules(o *Offering, changes map[string]any) error {
	if in.Rules == nil {
		return nil
	}
	if err := in.Rules.Check("bookingRules"); err != nil {
		return err
	}
	if !sameOverrides(o.Rules, *in.Rules) {
		o.Rules = *in.Rules
		changes["bookingRules"] = OverridesMap(o.Rules)
	}
	return nil
}

// OverridesMap returns the set overrides by their JSON names.
func OverridesMap(o RuleOverrides) map[string]any {
	m := map[string]any{}
	if o.MinNoticeMinutes != nil {
		m["minNoticeMinutes"] = *o.MinNoticeMinutes
	}
	if o.HorizonDays != nil {
		m["horizonDays"] = *o.HorizonDays
	}
	if o.SlotIntervalMinutes != nil {
		m["slotIntervalMinutes"] = *o.SlotIntervalMinutes
	}
	return m
}

func sameOverrides(a, b RuleOverrides) bool {
	eq := func(x, y *int) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return eq(a.MinNoticeMinutes, b.MinNoticeMinutes) && eq(a.HorizonDays, b.HorizonDays) &&
		eq(a.SlotIntervalMinutes, b.SlotIntervalMinutes)
}
