package httpapi

import (
	"encoding/json"
	"time"

	"github.com/slotwise/slotwise/internal/money"
	"github.com/slotwise/slotwise/internal/scheduling"
)

// bookingBody is POST /api/v1/bookings.
type bookingBody struct {
	BusinessID string     `json:"businessId"`
	ServiceID  string     `json:"serviceId"`
	StaffID    string     `json:"staffId"`
	StartTime  string     `json:"startTime"`
	Client     *guestJSON `json:"client"`
	Note       string     `json:"note"`
}

type guestJSON struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

type cancelBody struct {
	Reason string `json:"reason"`
}

type rescheduleBody struct {
	StartTime string `json:"startTime"`
}

// bookingJSON is a booking as the API shows it. Times are RFC 3339 UTC;
// totalAmount a decimal number in major units of currency.
type bookingJSON struct {
	ID              string      `json:"id"`
	BusinessID      string      `json:"businessId"`
	ServiceID       string      `json:"serviceId"`
	StaffID         string      `json:"staffId"`
	ClientID        string      `json:"clientId"`
	Client          *guestJSON  `json:"client,omitempty"`
	Note            string      `json:"note,omitempty"`
	Status          string      `json:"status"`
	StartTime       time.Time   `json:"startTime"`
	EndTime         time.Time   `json:"endTime"`
	TotalAmount     json.Number `json:"totalAmount"`
	Currency        string      `json:"currency"`
	RequiresPayment bool        `json:"requiresPayment"`
	HoldUntil       *time.Time  `json:"holdUntil,omitempty"`
	ManageToken     string      `json:"manageToken,omitempty"`
	CancelReason    string      `json:"cancelReason,omitempty"`
	CancelledBy     string      `json:"cancelledBy,omitempty"`
	CreatedAt       time.Time   `json:"createdAt"`
}

func bookingOf(b scheduling.Booking) bookingJSON {
	out := bookingJSON{
		ID: b.ID, BusinessID: b.BusinessID, ServiceID: b.ServiceID, StaffID: b.StaffID, ClientID: b.ClientID,
		Status: string(b.Status), StartTime: b.Start, EndTime: b.End, TotalAmount: json.Number(money.Format(b.TotalMinor, b.Currency)),
		Currency: b.Currency, RequiresPayment: b.RequiresPayment, CancelReason: b.CancelReason, CancelledBy: b.CancelledBy,
		CreatedAt: b.CreatedAt, Note: b.Note,
	}
	if b.IsGuest() {
		out.Client = &guestJSON{Name: b.ClientName, Email: b.ClientEmail, Phone: b.ClientPhone}
	}
	if !b.HoldUntil.IsZero() {
		h := b.HoldUntil
		out.HoldUntil = &h
	}
	return out
}

type slotJSON struct {
	Start   string `json:"start"`
	End     string `json:"end"`
	StaffID string `json:"staffId"`
}

func slotsOf(a scheduling.SlotAnswer) map[string]any {
	out := make([]slotJSON, 0, len(a.Slots))
	for _, s := range a.Slots {
		out = append(out, slotJSON{Start: s.Start.Format(time.RFC3339), End: s.End.Format(time.RFC3339), StaffID: s.StaffID})
	}
	return map[string]any{"slots": out}
}

// pageJSON is a page of bookings; nextCursor, when present, asks for the
// next page (?cursor=).
type pageJSON struct {
	Bookings   []bookingJSON `json:"bookings"`
	NextCursor string        `json:"nextCursor,omitempty"`
}

func pageOf(p scheduling.BookingPage) pageJSON {
	out := pageJSON{Bookings: make([]bookingJSON, 0, len(p.Bookings)), NextCursor: p.NextCursor}
	for _, b := range p.Bookings {
		out.Bookings = append(out.Bookings, bookingOf(b))
	}
	return out
}
