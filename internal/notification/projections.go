package notification

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/event"
)

// Projections: each event-carried fact this service needs, kept in its
// own tables (it never reads another service's). The On<Type> handlers
// here only update a projection; see handle.go.

func (s *Service) projectUser(ctx context.Context, d event.UserCreated) (Recipient, error) {
	r, err := s.store.Recipient(ctx, d.UserID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return r, err
	}
	r = Recipient{ID: d.UserID, Email: d.Email, FirstName: d.FirstName, LastName: d.LastName, TimeZone: r.TimeZone, UpdatedAt: s.now()}
	return r, s.store.PutRecipient(ctx, r)
}

// OnUserUpdated applies the changed details of a user.
func (s *Service) OnUserUpdated(ctx context.Context, _ event.Envelope, d event.UserUpdated) error {
	r, err := s.store.Recipient(ctx, d.UserID)
	if errors.Is(err, ErrNotFound) {
		r = Recipient{ID: d.UserID}
	} else if err != nil {
		return err
	}
	setString(d.Changes, "email", &r.Email)
	setString(d.Changes, "firstName", &r.FirstName)
	setString(d.Changes, "lastName", &r.LastName)
	setString(d.Changes, "timeZone", &r.TimeZone)
	r.UpdatedAt = s.now()
	return s.store.PutRecipient(ctx, r)
}

// OnUserDeleted forgets the person's details: nothing is sent to a
// deleted user.
func (s *Service) OnUserDeleted(ctx context.Context, _ event.Envelope, d event.UserDeleted) error {
	return s.store.PutRecipient(ctx, Recipient{ID: d.UserID, Deleted: true, UpdatedAt: s.now()})
}

// OnBusinessCreated projects the business.
func (s *Service) OnBusinessCreated(ctx context.Context, _ event.Envelope, d event.BusinessCreated) error {
	b, err := s.store.Business(ctx, d.BusinessID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	b.ID, b.Name, b.OwnerID, b.TimeZone = d.BusinessID, d.Name, d.OwnerID, d.TimeZone
	b.Subdomain, b.Address = d.Subdomain, d.Address
	return s.store.PutBusiness(ctx, b)
}

// OnBusinessUpdated applies the changes the notifications need (name,
// time zone, owner, subdomain, address, reminder offsets).
func (s *Service) OnBusinessUpdated(ctx context.Context, _ event.Envelope, d event.BusinessUpdated) error {
	b, err := s.store.Business(ctx, d.BusinessID)
	if errors.Is(err, ErrNotFound) {
		b = Business{ID: d.BusinessID}
	} else if err != nil {
		return err
	}
	setString(d.Changes, "name", &b.Name)
	setString(d.Changes, "timeZone", &b.TimeZone)
	setString(d.Changes, "ownerId", &b.OwnerID)
	setString(d.Changes, "subdomain", &b.Subdomain)
	setString(d.Changes, "address", &b.Address)
	if offs, ok := minutesList(d.Changes["reminderOffsetsMinutes"]); ok {
		b.ReminderOffsets = offs
	}
	return s.store.PutBusiness(ctx, b)
}

// OnServiceCreated projects the business's service.
func (s *Service) OnServiceCreated(ctx context.Context, _ event.Envelope, d event.ServiceCreated) error {
	return s.store.PutOffering(ctx, Offering{ID: d.ServiceID, BusinessID: d.BusinessID, Name: d.Name, DurationMinutes: d.Duration})
}

// OnServiceUpdated applies a service's new name and length.
func (s *Service) OnServiceUpdated(ctx context.Context, _ event.Envelope, d event.ServiceUpdated) error {
	o, err := s.store.Offering(ctx, d.ServiceID)
	if errors.Is(err, ErrNotFound) {
		o = Offering{ID: d.ServiceID, BusinessID: d.BusinessID}
	} else if err != nil {
		return err
	}
	setString(d.Changes, "name", &o.Name)
	if n, ok := d.Changes["duration"].(float64); ok {
		o.DurationMinutes = int(n)
	}
	return s.store.PutOffering(ctx, o)
}

// OnServiceDeleted marks the service deleted.
func (s *Service) OnServiceDeleted(ctx context.Context, _ event.Envelope, d event.ServiceDeleted) error {
	o, err := s.store.Offering(ctx, d.ServiceID)
	if errors.Is(err, ErrNotFound) {
		o = Offering{ID: d.ServiceID, BusinessID: d.BusinessID}
	} else if err != nil {
		return err
	}
	o.Deleted = true // kept: bookings of it still need its name
	return s.store.PutOffering(ctx, o)
}

// projectBookingCreated stores the booking (its price, payment hold, a
// guest's contact details and the client's note on it).
func (s *Service) projectBookingCreated(ctx context.Context, d event.BookingCreated) (Booking, error) {
	status := d.Status
	if status == "" {
		status = BookingPending
		if !d.RequiresPayment {
			status = BookingConfirmed
		}
	}
	b := Booking{
		ID: d.BookingID, BusinessID: d.BusinessID, ServiceID: d.ServiceID, ClientID: d.ClientID,
		StaffID: d.StaffID, Start: d.StartTime.UTC(), End: d.EndTime.UTC(), Status: status,
		GuestName: d.ClientName, GuestEmail: d.ClientEmail, GuestTimeZone: d.ClientTimeZone, Note: d.Note, UpdatedAt: s.now(),
		Amount: d.TotalAmount, Currency: d.Currency, RequiresPayment: d.RequiresPayment, HoldUntil: d.HoldUntil.UTC(),
	}
	if old, err := s.store.Booking(ctx, d.BookingID); err == nil {
		// A later event got here first: its state stays.
		b.Sequence, b.Status, b.Invited = old.Sequence, old.Status, old.Invited
	} else if !errors.Is(err, ErrNotFound) {
		return b, err
	}
	return b, s.store.PutBooking(ctx, b)
}

// updateBooking applies change to the booking's projection (a minimal one
// built from the event when booking.created was never seen).
func (s *Service) updateBooking(ctx context.Context, base Booking, change func(*Booking)) (Booking, error) {
	b, err := s.store.Booking(ctx, base.ID)
	if errors.Is(err, ErrNotFound) {
		b = base
	} else if err != nil {
		return b, err
	}
	change(&b)
	b.UpdatedAt = s.now()
	return b, s.store.PutBooking(ctx, b)
}

func setString(changes map[string]any, key string, dst *string) {
	if v, ok := changes[key].(string); ok {
		*dst = v
	}
}

// minutesList reads a JSON array of minutes as durations.
func minutesList(v any) ([]time.Duration, bool) {
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]time.Duration, 0, len(arr))
	for _, x := range arr {
		n, ok := x.(float64)
		if !ok || n <= 0 {
			return nil, false
		}
		out = append(out, time.Duration(n)*time.Minute)
	}
	return out, true
}

// ensureFound turns ErrNotFound into a wrapped error naming what.
func ensureFound(err error, what string) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return err
}
