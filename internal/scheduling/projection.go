package scheduling

import (
	"context"
	"errors"
	"fmt"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/money"
)

// ErrBadEvent marks an event the projection cannot apply however often it
// is retried (the consumer dead-letters it).
var ErrBadEvent = errors.New("unusable event")

// defaultCurrency is a service's currency when its event names none.
const defaultCurrency = "USD"

// ApplyBusinessCreated projects business.created.
func (s *Service) ApplyBusinessCreated(ctx context.Context, d event.BusinessCreated) error {
	b := Business{ID: d.BusinessID, OwnerID: d.OwnerID, Name: d.Name, Subdomain: d.Subdomain, TimeZone: d.TimeZone, Rules: DefaultRules()}
	if b.TimeZone == "" {
		b.TimeZone = "UTC"
	}
	if d.BookingRules != nil {
		b.Rules = b.Rules.Apply(overrides(d.BookingRules))
	}
	return s.store.PutBusiness(ctx, b)
}

// ApplyBusinessUpdated projects business.updated (a business not seen is
// ignored: its created event was never consumed, so there is nothing to
// update).
func (s *Service) ApplyBusinessUpdated(ctx context.Context, d event.BusinessUpdated) error {
	b, err := s.store.Business(ctx, d.BusinessID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	c := changes(d.Changes)
	c.str("name", &b.Name)
	c.str("subdomain", &b.Subdomain)
	c.str("timeZone", &b.TimeZone)
	if r, ok := c.rules("bookingRules"); ok {
		b.Rules = b.Rules.Apply(r)
	}
	if c.err != nil {
		return fmt.Errorf("%w: business.updated %s: %v", ErrBadEvent, d.BusinessID, c.err)
	}
	return s.store.PutBusiness(ctx, b)
}

// ApplyServiceCreated projects service.created.
func (s *Service) ApplyServiceCreated(ctx context.Context, d event.ServiceCreated) error {
	o := Offering{ID: d.ServiceID, BusinessID: d.BusinessID, Name: d.Name, DurationMinutes: d.Duration, Currency: d.Currency}
	if o.Currency == "" {
		o.Currency = defaultCurrency
	}
	price, err := money.FromFloat(d.Price, o.Currency)
	if err != nil {
		return fmt.Errorf("%w: service.created %s: %v", ErrBadEvent, d.ServiceID, err)
	}
	o.PriceMinor = price
	o.RequiresPayment = price > 0
	if d.RequiresPayment != nil {
		o.RequiresPayment = *d.RequiresPayment
	}
	if d.BufferBefore != nil {
		o.BufferBefore = *d.BufferBefore
	}
	if d.BufferAfter != nil {
		o.BufferAfter = *d.BufferAfter
	}
	if d.BookingRules != nil {
		o.Rules = overrides(d.BookingRules)
	}
	return s.store.PutOffering(ctx, o)
}

// ApplyServiceUpdated projects service.updated.
func (s *Service) ApplyServiceUpdated(ctx context.Context, d event.ServiceUpdated) error {
	o, err := s.store.Offering(ctx, d.ServiceID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	c := changes(d.Changes)
	c.str("name", &o.Name)
	c.int("duration", &o.DurationMinutes)
	c.int("bufferBefore", &o.BufferBefore)
	c.int("bufferAfter", &o.BufferAfter)
	c.bool("requiresPayment", &o.RequiresPayment)
	c.str("currency", &o.Currency)
	if p, ok := c.num("price"); ok {
		minor, err := money.FromFloat(p, o.Currency)
		if err != nil {
			c.fail(fmt.Errorf("price: %w", err))
		}
		o.PriceMinor = minor
	}
	if r, ok := c.rules("bookingRules"); ok {
		o.Rules = r
	}
	if c.err != nil {
		return fmt.Errorf("%w: service.updated %s: %v", ErrBadEvent, d.ServiceID, c.err)
	}
	return s.store.PutOffering(ctx, o)
}

// ApplyServiceDeleted projects service.deleted.
func (s *Service) ApplyServiceDeleted(ctx context.Context, d event.ServiceDeleted) error {
	return ignoreNotFound(s.store.DeleteOffering(ctx, d.ServiceID))
}

// ApplyStaff projects staff.created and staff.updated (both carry the
// member's full state).
func (s *Service) ApplyStaff(ctx context.Context, d event.StaffCreated) error {
	ids := d.ServiceIDs
	if ids == nil {
		ids = []string{}
	}
	return s.store.PutStaff(ctx, Staff{ID: d.StaffID, BusinessID: d.BusinessID, Name: d.Name, ServiceIDs: ids, Implicit: d.Implicit})
}

// ApplyStaffDeleted projects staff.deleted. The member's hours stay (they
// belong to the availability projection, fed by its own consumer); without
// the member they are never used.
func (s *Service) ApplyStaffDeleted(ctx context.Context, d event.StaffDeleted) error {
	return ignoreNotFound(s.store.DeleteStaff(ctx, d.StaffID))
}

// ApplyAvailabilityUpdated projects availability.updated.
func (s *Service) ApplyAvailabilityUpdated(ctx context.Context, d event.AvailabilityUpdated) error {
	a := Availability{StaffID: d.StaffID, BusinessID: d.BusinessID, TimeZone: d.TimeZone, Weekly: d.Weekly, Overrides: d.Overrides}
	if a.Weekly == nil {
		a.Weekly = []event.WeeklyInterval{}
	}
	if a.Overrides == nil {
		a.Overrides = []event.DateOverride{}
	}
	return s.store.PutAvailability(ctx, a)
}

// ResetProjections deletes the read model (before a replay).
func (s *Service) ResetProjections(ctx context.Context) error { return s.store.ResetProjections(ctx) }

func ignoreNotFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

func overrides(r *event.BookingRules) RuleOverrides {
	return RuleOverrides{MinNoticeMinutes: r.MinNoticeMinutes, HorizonDays: r.HorizonDays, SlotIntervalMinutes: r.SlotIntervalMinutes}
}

// changeSet reads an *.updated event's "changes" map (decoded JSON: numbers
// are float64), remembering the first malformed value.
type changeSet struct {
	m   map[string]any
	err error
}

func changes(m map[string]any) *changeSet { return &changeSet{m: m} }

func (c *changeSet) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

func (c *changeSet) str(key string, dst *string) {
	if v, ok := c.m[key]; ok {
		if s, ok := v.(string); ok {
			*dst = s
		} else {
			c.fail(fmt.Errorf("%s is not a string", key))
		}
	}
}

func (c *changeSet) num(key string) (float64, bool) {
	v, ok := c.m[key]
	if !ok {
		return 0, false
	}
	f, ok := v.(float64)
	if !ok {
		c.fail(fmt.Errorf("%s is not a number", key))
	}
	return f, ok
}

func (c *changeSet) int(key string, dst *int) {
	if f, ok := c.num(key); ok {
		*dst = int(f)
	}
}

func (c *changeSet) bool(key string, dst *bool) {
	if v, ok := c.m[key]; ok {
		if b, ok := v.(bool); ok {
			*dst = b
		} else {
			c.fail(fmt.Errorf("%s is not a boolean", key))
		}
	}
}

// rules reads a bookingRules object: the values it holds (absent ones nil).
func (c *changeSet) rules(key string) (RuleOverrides, bool) {
	v, ok := c.m[key]
	if !ok {
		return RuleOverrides{}, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(fmt.Errorf("%s is not an object", key))
		return RuleOverrides{}, false
	}
	sub := changes(m)
	var r RuleOverrides
	for name, dst := range map[string]**int{
		"minNoticeMinutes": &r.MinNoticeMinutes, "horizonDays": &r.HorizonDays, "slotIntervalMinutes": &r.SlotIntervalMinutes,
	} {
		if f, ok := sub.num(name); ok {
			n := int(f)
			*dst = &n
		}
	}
	if sub.err != nil {
		c.fail(sub.err)
	}
	return r, true
}
