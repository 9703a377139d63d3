package business

import (
	"context"
	"errors"
	"fmt"

	"github.com/slotwise/slotwise/internal/apperr"
)

// PublicView is what anyone may read about a business: the business, its
// services and its staff. The HTTP layer writes only their public fields;
// a business's include its profile (description, address, embed origins —
// the last are public anyway, in the booking page's CSP header).
type PublicView struct {
	Business  Business
	Offerings []Offering
	Staff     []Staff
}

// Public returns the public view of the business at subdomain.
func (s *Service) Public(ctx context.Context, subdomain string) (PublicView, error) {
	b, err := s.store.BusinessBySubdomain(ctx, subdomain)
	if errors.Is(err, ErrNotFound) {
		return PublicView{}, notFound("business", subdomain)
	}
	if err != nil {
		return PublicView{}, fmt.Errorf("load business %s: %w", subdomain, err)
	}
	return s.publicView(ctx, b)
}

// PublicByID returns the public view of the business with id: what Public
// shows, for a caller that knows the business by id (a booking's), not by
// subdomain. An unknown id is a 404 matching ErrNotFound.
func (s *Service) PublicByID(ctx context.Context, id string) (PublicView, error) {
	b, err := s.store.Business(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return PublicView{}, &apperr.Error{Code: apperr.NotFound, Message: fmt.Sprintf("no business %q", id), Err: ErrNotFound}
	}
	if err != nil {
		return PublicView{}, fmt.Errorf("load business %s: %w", id, err)
	}
	return s.publicView(ctx, b)
}

// publicView adds b's services and staff.
func (s *Service) publicView(ctx context.Context, b Business) (PublicView, error) {
	v := PublicView{Business: b}
	var err error
	if v.Offerings, err = s.store.Offerings(ctx, b.ID); err != nil {
		return PublicView{}, fmt.Errorf("list services: %w", err)
	}
	if v.Staff, err = s.store.Staff(ctx, b.ID); err != nil {
		return PublicView{}, fmt.Errorf("list staff: %w", err)
	}
	return v, nil
}
