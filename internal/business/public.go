package business

import (
	"context"
	"errors"
	"fmt"
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
	v := PublicView{Business: b}
	if v.Offerings, err = s.store.Offerings(ctx, b.ID); err != nil {
		return PublicView{}, fmt.Errorf("list services: %w", err)
	}
	if v.Staff, err = s.store.Staff(ctx, b.ID); err != nil {
		return PublicView{}, fmt.Errorf("list staff: %w", err)
	}
	return v, nil
}
