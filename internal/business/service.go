package business

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
)

// Service holds the business service's use cases. Each change runs in one
// transaction with the events it records; every event of a business (and
// of its services, staff and hours) uses the business id as aggregate, so
// consumers see them in order.
type Service struct {
	store  Store
	events Events
	now    func() time.Time
	newID  func(prefix string) string
}

// Options are the optional dependencies of a Service.
type Options struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// NewID returns a new id with the prefix ("biz_", "svc_", "staff_");
	// default: the prefix and a ULID.
	NewID func(prefix string) string
}

// NewService returns the use cases on store, recording events with events.
func NewService(store Store, events Events, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = func(prefix string) string { return prefix + strings.TrimPrefix(event.NewID(), "evt_") }
	}
	return &Service{store: store, events: events, now: opts.Now, newID: opts.NewID}
}

// ID prefixes.
const (
	businessPrefix = "biz_"
	offeringPrefix = "svc_"
	staffPrefix    = "staff_"
)

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// requireOwnerRole refuses callers that may not manage businesses.
func requireOwnerRole(actor Actor) error {
	switch {
	case actor.UserID == "":
		return apperr.New(apperr.Unauthenticated, "this endpoint needs an access token")
	case actor.Role != RoleOwner && actor.Role != RoleAdmin:
		return apperr.New(apperr.Forbidden, "role %s may not manage businesses", actor.Role)
	}
	return nil
}

// owned returns the business id when actor may act on it. Another owner's
// business is answered exactly like a missing one.
func (s *Service) owned(ctx context.Context, actor Actor, id string) (Business, error) {
	if err := requireOwnerRole(actor); err != nil {
		return Business{}, err
	}
	b, err := s.store.Business(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !b.OwnedBy(actor)) {
		return Business{}, apperr.New(apperr.NotFound, "no business %q", id)
	}
	if err != nil {
		return Business{}, fmt.Errorf("load business %s: %w", id, err)
	}
	return b, nil
}

// CreateBusiness creates a business owned by actor, with its implicit
// staff member; records business.created and staff.created.
func (s *Service) CreateBusiness(ctx context.Context, actor Actor, in NewBusiness) (Business, error) {
	if err := requireOwnerRole(actor); err != nil {
		return Business{}, err
	}
	b, err := in.Build(actor.UserID)
	if err != nil {
		return Business{}, err
	}
	now := s.clock()
	b.ID, b.CreatedAt, b.UpdatedAt = s.newID(businessPrefix), now, now
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.CreateBusiness(ctx, b); err != nil {
			return storeError(err, "create business")
		}
		if err := s.record(ctx, b.ID, event.TypeBusinessCreated, businessCreated(b)); err != nil {
			return err
		}
		return s.addImplicitStaff(ctx, b)
	})
	if err != nil {
		return Business{}, err
	}
	return b, nil
}

func (s *Service) addImplicitStaff(ctx context.Context, b Business) error {
	o, err := s.store.LockOwner(ctx, b.OwnerID, b.CreatedAt)
	if err != nil {
		return fmt.Errorf("lock owner %s: %w", b.OwnerID, err)
	}
	name := o.DisplayName()
	if o.Deleted {
		name = Owner{}.DisplayName()
	}
	st := Staff{
		ID: s.newID(staffPrefix), BusinessID: b.ID, Name: name, ServiceIDs: []string{},
		Implicit: true, CreatedAt: b.CreatedAt, UpdatedAt: b.CreatedAt,
	}
	if err := s.store.CreateStaff(ctx, st); err != nil {
		return fmt.Errorf("create implicit staff: %w", err)
	}
	return s.record(ctx, b.ID, event.TypeStaffCreated, staffCreated(st))
}

// ListBusinesses lists the actor's businesses (every business for an admin).
func (s *Service) ListBusinesses(ctx context.Context, actor Actor) ([]Business, error) {
	if err := requireOwnerRole(actor); err != nil {
		return nil, err
	}
	owner := actor.UserID
	if actor.IsAdmin() {
		owner = ""
	}
	bs, err := s.store.Businesses(ctx, owner)
	if err != nil {
		return nil, fmt.Errorf("list businesses: %w", err)
	}
	return bs, nil
}

// Business returns one of the actor's businesses.
func (s *Service) Business(ctx context.Context, actor Actor, id string) (Business, error) {
	return s.owned(ctx, actor, id)
}

// UpdateBusiness changes a business; records business.updated with the
// changes (nothing when nothing changed).
func (s *Service) UpdateBusiness(ctx context.Context, actor Actor, id string, p BusinessPatch) (Business, error) {
	if _, err := s.owned(ctx, actor, id); err != nil {
		return Business{}, err
	}
	var out Business
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		var changes map[string]any
		b, err := s.store.UpdateBusiness(ctx, id, func(b *Business) error {
			if !b.OwnedBy(actor) {
				return apperr.New(apperr.NotFound, "no business %q", id)
			}
			c, err := p.ApplyTo(b)
			if err != nil {
				return err
			}
			if changes = c; len(c) > 0 {
				b.UpdatedAt = s.clock()
			}
			return nil
		})
		if err != nil {
			return storeError(err, "update business")
		}
		out = b
		if len(changes) == 0 {
			return nil
		}
		return s.record(ctx, id, event.TypeBusinessUpdated, event.BusinessUpdated{BusinessID: id, Changes: changes})
	})
	return out, err
}

// storeError turns the Store's sentinel errors into application errors.
func storeError(err error, what string) error {
	var ae *apperr.Error
	switch {
	case errors.As(err, &ae):
		return err
	case errors.Is(err, ErrDuplicateSubdomain):
		return apperr.Field(apperr.Conflict, "subdomain", "subdomain is already taken").WithReason(ReasonDuplicateSubdomain)
	case errors.Is(err, ErrNotFound):
		return apperr.New(apperr.NotFound, "%s: not found", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}
