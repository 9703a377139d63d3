package payment

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"

	"github.com/slotwise/slotwise/internal/apperr"
)

// Caller is who asks for a booking's payment: a signed-in user (UserID,
// Admin) and/or the guest's manage token.
type Caller struct {
	UserID string
	Admin  bool
	Token  string
}

// PaymentOfBooking returns a booking's payment to those who may see the
// booking: the client who booked, the business's owner, an admin, or a
// guest with the booking's manage token. Anyone else learns nothing (404;
// 401 for a caller without any credentials).
func (s *Service) PaymentOfBooking(ctx context.Context, c Caller, bookingID string) (Payment, error) {
	if c.UserID == "" && c.Token == "" {
		return Payment{}, apperr.New(apperr.Unauthenticated, "sign in or pass the booking's manage token as ?token=")
	}
	bk, err := s.store.Booking(ctx, bookingID)
	if err != nil {
		return Payment{}, notFound(err, "no payment for booking %q", bookingID)
	}
	ok, err := s.mayView(ctx, c, bk)
	if err != nil {
		return Payment{}, err
	}
	if !ok {
		return Payment{}, apperr.New(apperr.NotFound, "no payment for booking %q", bookingID)
	}
	p, err := s.store.PaymentByBooking(ctx, bookingID)
	return p, notFound(err, "no payment for booking %q", bookingID)
}

func (s *Service) mayView(ctx context.Context, c Caller, bk Booking) (bool, error) {
	if c.Admin || (c.UserID != "" && c.UserID == bk.ClientID) {
		return true, nil
	}
	if c.Token != "" && bk.ManageTokenHash != "" {
		sum := sha256.Sum256([]byte(c.Token))
		if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(bk.ManageTokenHash)) == 1 {
			return true, nil
		}
	}
	if c.UserID == "" {
		return false, nil
	}
	owner, err := s.store.BusinessOwner(ctx, bk.BusinessID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil && owner == c.UserID, err
}

// ApplyBusinessCreated records the business's owner (who may see its
// bookings' payments).
func (s *Service) ApplyBusinessCreated(ctx context.Context, businessID, ownerID string) error {
	return s.store.PutBusinessOwner(ctx, businessID, ownerID)
}
