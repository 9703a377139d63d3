package business

import (
	"context"
	"time"

	"github.com/slotwise/slotwise/internal/event"
)

// Store is the business service's persistence. Every method joins the
// transaction ctx carries (see Atomically); writes outside one run in a
// transaction of their own. Methods return ErrNotFound for a missing row
// and ErrDuplicateSubdomain when a subdomain is taken.
type Store interface {
	// Atomically runs fn in one transaction (or in the one ctx already
	// carries): every Store call and every event recorded with the ctx
	// passed to fn commits or rolls back together.
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error

	CreateBusiness(ctx context.Context, b Business) error
	Business(ctx context.Context, id string) (Business, error)
	BusinessBySubdomain(ctx context.Context, subdomain string) (Business, error)
	// Businesses lists the businesses of ownerID ("" for all), oldest first.
	Businesses(ctx context.Context, ownerID string) ([]Business, error)
	// UpdateBusiness locks the business, applies fn and writes the result.
	UpdateBusiness(ctx context.Context, id string, fn func(*Business) error) (Business, error)

	CreateOffering(ctx context.Context, o Offering) error
	Offering(ctx context.Context, businessID, id string) (Offering, error)
	// Offerings lists a business's services, oldest first.
	Offerings(ctx context.Context, businessID string) ([]Offering, error)
	// UpdateOffering locks the service, applies fn and writes the result.
	UpdateOffering(ctx context.Context, businessID, id string, fn func(*Offering) error) (Offering, error)
	DeleteOffering(ctx context.Context, businessID, id string) error

	CreateStaff(ctx context.Context, s Staff) error
	StaffMember(ctx context.Context, businessID, id string) (Staff, error)
	// Staff lists a business's staff, oldest first.
	Staff(ctx context.Context, businessID string) ([]Staff, error)
	// UpdateStaff replaces a staff member's name and service ids.
	UpdateStaff(ctx context.Context, s Staff) error
	// DeleteStaff removes a staff member and their opening hours.
	DeleteStaff(ctx context.Context, businessID, id string) error

	// Availability returns a staff member's opening hours; ErrNotFound
	// when none were set.
	Availability(ctx context.Context, businessID, staffID string) (Availability, error)
	PutAvailability(ctx context.Context, a Availability) error

	Owner(ctx context.Context, userID string) (Owner, error)
	// LockOwner makes sure the owner's row exists (a placeholder without
	// names, stamped now, when unknown) and locks it until the transaction
	// ends, then returns it. Creating a business and projecting its owner's
	// user event both take this lock, so neither can miss the other.
	LockOwner(ctx context.Context, userID string, now time.Time) (Owner, error)
	PutOwner(ctx context.Context, o Owner) error
}

// Events records events in the transaction ctx carries (see
// Store.Atomically), so they are published if and only if it commits. The
// event platform's *eventbus.Outbox is one; it fails outside a transaction.
type Events interface {
	Record(ctx context.Context, aggregateID, eventType string, data any) (event.Envelope, error)
}
