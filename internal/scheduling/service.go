package scheduling

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
)

// Service holds the scheduling service's use cases.
type Service struct {
	store  Store
	events Events
	now    func() time.Time
	newID  func(prefix string) string
	hold   time.Duration
	// linkKey derives manage tokens (Options.LinkKey).
	linkKey []byte
	// holdMade is Options.HoldMade.
	holdMade func()
}

// Options are the optional dependencies of a Service.
type Options struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// NewID returns a new id with the prefix ("booking_", "guest_");
	// default: the prefix and a ULID.
	NewID func(prefix string) string
	// Hold is how long a booking that must be paid stays pending (default
	// 15 minutes).
	Hold time.Duration
	// HoldMade is called after a booking that must be paid, and so holds
	// its slot until a deadline, has committed: the hold sweeper's Wake,
	// so that the sweeper sleeps until the new hold ends rather than its
	// whole interval (default: nothing).
	HoldMade func()
	// LinkKey derives each booking's manage token from its id
	// (managetoken.For), so that the token can be given again — in a
	// replayed answer, in e-mails, on web pages — while only its hash is
	// stored. The app passes its link key; without one the Service makes a
	// random key of its own, and tokens then hold only within this process.
	LinkKey []byte
}

// DefaultHold is the payment hold when Options does not say.
const DefaultHold = 15 * time.Minute

// NewService returns the use cases on store, recording events with events.
func NewService(store Store, events Events, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = func(prefix string) string { return prefix + strings.TrimPrefix(event.NewID(), "evt_") }
	}
	if opts.Hold <= 0 {
		opts.Hold = DefaultHold
	}
	if opts.HoldMade == nil {
		opts.HoldMade = func() {}
	}
	if len(opts.LinkKey) == 0 {
		// Never derive from an empty key: anyone could compute the tokens.
		opts.LinkKey = make([]byte, 32)
		_, _ = rand.Read(opts.LinkKey) // crypto/rand.Read never fails (Go 1.24)
	}
	return &Service{
		store: store, events: events, now: opts.Now, newID: opts.NewID, hold: opts.Hold,
		linkKey: opts.LinkKey, holdMade: opts.HoldMade,
	}
}

// ID prefixes.
const (
	bookingPrefix = "booking_"
	guestPrefix   = "guest_"
)

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Role is a caller's role, as the auth service assigns them.
type Role string

// The roles.
const (
	RoleOwner  Role = "business_owner"
	RoleClient Role = "client"
	RoleAdmin  Role = "admin"
)

// Actor is the caller of a use case; the zero Actor is anonymous.
type Actor struct {
	UserID string
	Role   Role
	// ManageToken is a guest's ?token= (only for reading and changing
	// their own booking).
	ManageToken string
}

// Anonymous reports whether the caller has no account.
func (a Actor) Anonymous() bool { return a.UserID == "" }

// storeError turns the Store's sentinel errors into application errors.
func storeError(err error, what string) error {
	var ae *apperr.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae):
		return err
	case errors.Is(err, ErrSlotTaken):
		return apperr.New(apperr.Conflict, "the slot is taken").WithReason(ReasonSlotTaken)
	case errors.Is(err, ErrNotFound):
		return apperr.New(apperr.NotFound, "%s: not found", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func notFound(what, id string) error { return apperr.New(apperr.NotFound, "no %s %q", what, id) }

// load returns a projection row, turning ErrNotFound into a 404 naming it.
func load[T any](ctx context.Context, f func(context.Context, string) (T, error), what, id string) (T, error) {
	v, err := f(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return v, notFound(what, id)
	}
	if err != nil {
		return v, fmt.Errorf("load %s %s: %w", what, id, err)
	}
	return v, nil
}
