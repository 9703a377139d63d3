package business

import (
	"context"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/money"
)

// Payload builders: the events' shapes of the domain types.

func businessCreated(b Business) event.BusinessCreated {
	min, horizon, interval := b.Rules.MinNoticeMinutes, b.Rules.HorizonDays, b.Rules.SlotIntervalMinutes
	return event.BusinessCreated{
		BusinessID: b.ID, Name: b.Name, Subdomain: b.Subdomain, OwnerID: b.OwnerID, TimeZone: b.TimeZone,
		BookingRules: &event.BookingRules{MinNoticeMinutes: &min, HorizonDays: &horizon, SlotIntervalMinutes: &interval},
		Description:  b.Description, Address: b.Address, EmbedOrigins: b.EmbedOrigins,
	}
}

func serviceCreated(o Offering) event.ServiceCreated {
	before, after, pay := o.BufferBefore, o.BufferAfter, o.RequiresPayment
	p := event.ServiceCreated{
		ServiceID: o.ID, BusinessID: o.BusinessID, Name: o.Name, Duration: o.DurationMinutes,
		Price: money.Float(o.PriceMinor, o.Currency), Currency: o.Currency, Description: o.Description,
		BufferBefore: &before, BufferAfter: &after, RequiresPayment: &pay,
	}
	if !o.Rules.IsZero() {
		r := o.Rules
		p.BookingRules = &event.BookingRules{MinNoticeMinutes: r.MinNoticeMinutes, HorizonDays: r.HorizonDays, SlotIntervalMinutes: r.SlotIntervalMinutes}
	}
	return p
}

func staffCreated(s Staff) event.StaffCreated {
	ids := s.ServiceIDs
	if ids == nil {
		ids = []string{}
	}
	return event.StaffCreated{StaffID: s.ID, BusinessID: s.BusinessID, Name: s.Name, ServiceIDs: ids, Implicit: s.Implicit}
}

// record records an event of eventType about aggregateID in the
// transaction ctx carries. The use cases need only to know it was
// recorded, not the envelope.
func (s *Service) record(ctx context.Context, aggregateID, eventType string, data any) error {
	_, err := s.events.Record(ctx, aggregateID, eventType, data)
	return err
}
