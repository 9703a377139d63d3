package httpapi

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/event"
)

// Requests. Pointers tell a missing field from a zero one.

type rulesBody struct {
	MinNoticeMinutes    *int `json:"minNoticeMinutes,omitempty"`
	HorizonDays         *int `json:"horizonDays,omitempty"`
	SlotIntervalMinutes *int `json:"slotIntervalMinutes,omitempty"`
}

func (r *rulesBody) domain() *business.RuleOverrides {
	if r == nil {
		return nil
	}
	return &business.RuleOverrides{MinNoticeMinutes: r.MinNoticeMinutes, HorizonDays: r.HorizonDays, SlotIntervalMinutes: r.SlotIntervalMinutes}
}

type businessBody struct {
	Name         *string    `json:"name"`
	Subdomain    *string    `json:"subdomain"`
	TimeZone     *string    `json:"timeZone"`
	BookingRules *rulesBody `json:"bookingRules"`
	Description  *string    `json:"description"`
	Address      *string    `json:"address"`
	EmbedOrigins *[]string  `json:"embedOrigins"`
}

func (b businessBody) patch() business.BusinessPatch {
	return business.BusinessPatch{
		Name: b.Name, Subdomain: b.Subdomain, TimeZone: b.TimeZone, Rules: b.BookingRules.domain(),
		Description: b.Description, Address: b.Address, EmbedOrigins: b.EmbedOrigins,
	}
}

type serviceBody struct {
	Name            *string         `json:"name"`
	Description     *string         `json:"description"`
	Duration        *int            `json:"duration"`
	Price           json.RawMessage `json:"price"`
	Currency        *string         `json:"currency"`
	BufferBefore    *int            `json:"bufferBefore"`
	BufferAfter     *int            `json:"bufferAfter"`
	RequiresPayment *bool           `json:"requiresPayment"`
	BookingRules    *rulesBody      `json:"bookingRules"`
}

// domain converts the body; the price must be a JSON number (its exact
// text is parsed into minor units, never through a float).
func (b serviceBody) domain() (business.OfferingInput, error) {
	in := business.OfferingInput{
		Name: b.Name, Description: b.Description, Duration: b.Duration, Currency: b.Currency,
		BufferBefore: b.BufferBefore, BufferAfter: b.BufferAfter, RequiresPayment: b.RequiresPayment,
		Rules: b.BookingRules.domain(),
	}
	if b.Price != nil {
		if c := b.Price[0]; c != '-' && (c < '0' || c > '9') {
			return in, apperr.Field(apperr.Invalid, "price", "price must be a number, such as 49.90")
		}
		p := string(b.Price)
		in.Price = &p
	}
	return in, nil
}

type staffBody struct {
	Name       *string  `json:"name"`
	Email      *string  `json:"email"`
	ServiceIDs []string `json:"serviceIds"`
}

type intervalBody struct {
	Start *string `json:"start"`
	End   *string `json:"end"`
}

type weeklyBody struct {
	Weekday *int    `json:"weekday"`
	Start   *string `json:"start"`
	End     *string `json:"end"`
}

type overrideBody struct {
	Date      *string        `json:"date"`
	Closed    *bool          `json:"closed"`
	Intervals []intervalBody `json:"intervals"`
}

type availabilityBody struct {
	Weekly    []weeklyBody   `json:"weekly"`
	Overrides []overrideBody `json:"overrides"`
}

func required(field string) error {
	return apperr.Field(apperr.Invalid, field, "%s is required", field)
}

// domain converts the body, naming a missing field with its index.
func (b availabilityBody) domain() (business.Availability, error) {
	if b.Weekly == nil {
		return business.Availability{}, required("weekly")
	}
	a := business.Availability{Weekly: []event.WeeklyInterval{}, Overrides: []event.DateOverride{}}
	for i, w := range b.Weekly {
		field := fmt.Sprintf("weekly[%d]", i)
		switch {
		case w.Weekday == nil:
			return a, required(field + ".weekday")
		case w.Start == nil:
			return a, required(field + ".start")
		case w.End == nil:
			return a, required(field + ".end")
		}
		a.Weekly = append(a.Weekly, event.WeeklyInterval{Weekday: *w.Weekday, Start: *w.Start, End: *w.End})
	}
	for i, o := range b.Overrides {
		d, err := o.domain(fmt.Sprintf("overrides[%d]", i))
		if err != nil {
			return a, err
		}
		a.Overrides = append(a.Overrides, d)
	}
	return a, nil
}

func (o overrideBody) domain(field string) (event.DateOverride, error) {
	if o.Date == nil {
		return event.DateOverride{}, required(field + ".date")
	}
	d := event.DateOverride{Date: *o.Date, Closed: o.Closed != nil && *o.Closed}
	for j, iv := range o.Intervals {
		f := fmt.Sprintf("%s.intervals[%d]", field, j)
		if iv.Start == nil {
			return d, required(f + ".start")
		}
		if iv.End == nil {
			return d, required(f + ".end")
		}
		d.Intervals = append(d.Intervals, event.TimeInterval{Start: *iv.Start, End: *iv.End})
	}
	return d, nil
}

// Responses.

type rulesJSON struct {
	MinNoticeMinutes    int `json:"minNoticeMinutes"`
	HorizonDays         int `json:"horizonDays"`
	SlotIntervalMinutes int `json:"slotIntervalMinutes"`
}

func rulesOf(r business.Rules) rulesJSON {
	return rulesJSON{MinNoticeMinutes: r.MinNoticeMinutes, HorizonDays: r.HorizonDays, SlotIntervalMinutes: r.SlotIntervalMinutes}
}

type businessJSON struct {
	ID           string    `json:"id"`
	OwnerID      string    `json:"ownerId"`
	Name         string    `json:"name"`
	Subdomain    string    `json:"subdomain"`
	TimeZone     string    `json:"timeZone"`
	BookingRules rulesJSON `json:"bookingRules"`
	Description  string    `json:"description"`
	Address      string    `json:"address"`
	EmbedOrigins []string  `json:"embedOrigins"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

func businessOf(b business.Business) businessJSON {
	return businessJSON{
		ID: b.ID, OwnerID: b.OwnerID, Name: b.Name, Subdomain: b.Subdomain, TimeZone: b.TimeZone,
		BookingRules: rulesOf(b.Rules), Description: b.Description, Address: b.Address,
		EmbedOrigins: originsOf(b.EmbedOrigins), CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
	}
}

// originsOf writes no embed origins as [] rather than null.
func originsOf(o []string) []string {
	if o == nil {
		return []string{}
	}
	return o
}

type serviceJSON struct {
	ID              string      `json:"id"`
	BusinessID      string      `json:"businessId"`
	Name            string      `json:"name"`
	Description     string      `json:"description"`
	Duration        int         `json:"duration"`
	Price           json.Number `json:"price"`
	Currency        string      `json:"currency"`
	BufferBefore    int         `json:"bufferBefore"`
	BufferAfter     int         `json:"bufferAfter"`
	RequiresPayment bool        `json:"requiresPayment"`
	BookingRules    rulesBody   `json:"bookingRules"`
	CreatedAt       time.Time   `json:"createdAt"`
	UpdatedAt       time.Time   `json:"updatedAt"`
}

func serviceOf(o business.Offering) serviceJSON {
	return serviceJSON{
		ID: o.ID, BusinessID: o.BusinessID, Name: o.Name, Description: o.Description, Duration: o.DurationMinutes,
		Price: json.Number(o.Price()), Currency: o.Currency, BufferBefore: o.BufferBefore, BufferAfter: o.BufferAfter,
		RequiresPayment: o.RequiresPayment, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		BookingRules: rulesBody{MinNoticeMinutes: o.Rules.MinNoticeMinutes, HorizonDays: o.Rules.HorizonDays, SlotIntervalMinutes: o.Rules.SlotIntervalMinutes},
	}
}

type staffJSON struct {
	ID         string    `json:"id"`
	BusinessID string    `json:"businessId"`
	Name       string    `json:"name"`
	Email      string    `json:"email,omitempty"`
	ServiceIDs []string  `json:"serviceIds"`
	Implicit   bool      `json:"implicit"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

func staffOf(s business.Staff) staffJSON {
	ids := s.ServiceIDs
	if ids == nil {
		ids = []string{}
	}
	return staffJSON{ID: s.ID, BusinessID: s.BusinessID, Name: s.Name, Email: s.Email, ServiceIDs: ids,
		Implicit: s.Implicit, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

type availabilityJSON struct {
	BusinessID string                 `json:"businessId"`
	StaffID    string                 `json:"staffId"`
	TimeZone   string                 `json:"timeZone"`
	Weekly     []event.WeeklyInterval `json:"weekly"`
	Overrides  []event.DateOverride   `json:"overrides"`
}

func availabilityOf(a business.Availability, tz string) availabilityJSON {
	out := availabilityJSON{BusinessID: a.BusinessID, StaffID: a.StaffID, TimeZone: tz, Weekly: a.Weekly, Overrides: a.Overrides}
	if out.Weekly == nil {
		out.Weekly = []event.WeeklyInterval{}
	}
	if out.Overrides == nil {
		out.Overrides = []event.DateOverride{}
	}
	return out
}

// The public page: only what a client needs to book.

type publicBusinessJSON struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Subdomain    string    `json:"subdomain"`
	TimeZone     string    `json:"timeZone"`
	BookingRules rulesJSON `json:"bookingRules"`
	Description  string    `json:"description"`
	Address      string    `json:"address"`
	EmbedOrigins []string  `json:"embedOrigins"` // public anyway: the page's CSP frame-ancestors names them
}

type publicServiceJSON struct {
	ID              string      `json:"id"`
	Name            string      `json:"name"`
	Description     string      `json:"description"`
	Duration        int         `json:"duration"`
	Price           json.Number `json:"price"`
	Currency        string      `json:"currency"`
	RequiresPayment bool        `json:"requiresPayment"`
	BookingRules    rulesJSON   `json:"bookingRules"` // effective: the business's with the service's overrides
}

type publicStaffJSON struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	ServiceIDs []string `json:"serviceIds"`
	Implicit   bool     `json:"implicit"`
}

type publicJSON struct {
	Business publicBusinessJSON  `json:"business"`
	Services []publicServiceJSON `json:"services"`
	Staff    []publicStaffJSON   `json:"staff"`
}

func publicOf(v business.PublicView) publicJSON {
	b := v.Business
	out := publicJSON{
		Business: publicBusinessJSON{
			ID: b.ID, Name: b.Name, Subdomain: b.Subdomain, TimeZone: b.TimeZone, BookingRules: rulesOf(b.Rules),
			Description: b.Description, Address: b.Address, EmbedOrigins: originsOf(b.EmbedOrigins),
		},
		Services: []publicServiceJSON{}, Staff: []publicStaffJSON{},
	}
	for _, o := range v.Offerings {
		out.Services = append(out.Services, publicServiceJSON{
			ID: o.ID, Name: o.Name, Description: o.Description, Duration: o.DurationMinutes, Price: json.Number(o.Price()),
			Currency: o.Currency, RequiresPayment: o.RequiresPayment, BookingRules: rulesOf(b.Rules.Apply(o.Rules)),
		})
	}
	for _, s := range v.Staff {
		ids := s.ServiceIDs
		if ids == nil {
			ids = []string{}
		}
		out.Staff = append(out.Staff, publicStaffJSON{ID: s.ID, Name: s.Name, ServiceIDs: ids, Implicit: s.Implicit})
	}
	return out
}
