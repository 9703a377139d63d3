package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
)

// Events records an event in the transaction ctx carries
// (*eventbus.Outbox), so it commits with the change it reports.
type Events interface {
	Record(ctx context.Context, aggregateID, eventType string, data any) (event.Envelope, error)
}

// TokenIssuer signs an access token for a user (internal/authn's Tokens,
// adapted by the app): every service verifies it without calling auth.
type TokenIssuer interface {
	Issue(userID string, role Role) (token string, expires time.Time, err error)
}

// Deps are what the Service is built from. Store, Events and Hasher are
// required; Tokens only for the use cases that log in.
type Deps struct {
	Store  Store
	Events Events
	Tokens TokenIssuer
	Hasher PasswordHasher
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Throttle limits failed logins (DefaultThrottle when zero).
	Throttle ThrottleRules
	// RefreshTTL is the refresh token lifetime (DefaultRefreshTTL when 0).
	RefreshTTL time.Duration
	Logger     *slog.Logger
}

// Service is the auth service's use cases.
type Service struct {
	d         Deps
	dummyHash string // compared against for unknown e-mails
}

// Session is what a login hands out.
type Session struct {
	User          User
	AccessToken   string
	AccessExpires time.Time
	// AccessTTL is how long the access token is valid from now.
	AccessTTL    time.Duration
	RefreshToken string
}

// NewService returns the service.
func NewService(d Deps) (*Service, error) {
	if d.Store == nil || d.Events == nil || d.Hasher == nil {
		return nil, errors.New("auth service: Store, Events and Hasher are required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Throttle == (ThrottleRules{}) {
		d.Throttle = DefaultThrottle
	}
	if d.RefreshTTL <= 0 {
		d.RefreshTTL = DefaultRefreshTTL
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	dummy, err := d.Hasher.Hash("not a password: spends the time of a real check")
	if err != nil {
		return nil, err
	}
	return &Service{d: d, dummyHash: dummy}, nil
}

func (s *Service) now() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// Register creates a business_owner or client account, records
// user.created with it, and logs the new user in.
func (s *Service) Register(ctx context.Context, reg Registration) (Session, error) {
	if err := reg.Validate(false); err != nil {
		return Session{}, err
	}
	var sess Session
	err := s.createUser(ctx, reg, func(ctx context.Context, u User) error {
		var err error
		sess, err = s.startSession(ctx, u, "")
		return err
	})
	if err != nil {
		return Session{}, err
	}
	return s.signAccess(sess)
}

// CreateAdmin creates an account of any role, admin included (the CLI's
// `slotwise admin create-user`), and records user.created; the relay of a
// running instance publishes it.
func (s *Service) CreateAdmin(ctx context.Context, reg Registration) (User, error) {
	if err := reg.Validate(true); err != nil {
		return User{}, err
	}
	var created User
	err := s.createUser(ctx, reg, func(_ context.Context, u User) error {
		created = u
		return nil
	})
	return created, err
}

// createUser hashes the password, then inserts the user and records
// user.created in one transaction, in which then runs.
func (s *Service) createUser(ctx context.Context, reg Registration, then func(context.Context, User) error) error {
	hash, err := s.d.Hasher.Hash(reg.Password)
	if err != nil {
		return err
	}
	now := s.now()
	u := User{
		ID: "user_" + ulid.Make().String(), Email: reg.Email, FirstName: reg.FirstName, LastName: reg.LastName,
		Role: reg.Role, CreatedAt: now, UpdatedAt: now,
	}
	return s.d.Store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.d.Store.CreateUser(ctx, u, hash); err != nil {
			return storeError(err)
		}
		if _, err := s.d.Events.Record(ctx, u.ID, event.TypeUserCreated, event.UserCreated{
			UserID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Role: string(u.Role),
		}); err != nil {
			return err
		}
		return then(ctx, u)
	})
}

// startSession stores a new refresh token of family (a new family when
// "") for u. The access token is signed after the commit (signAccess).
func (s *Service) startSession(ctx context.Context, u User, family string) (Session, error) {
	if family == "" {
		family = "fam_" + ulid.Make().String()
	}
	token, hash := newRefreshToken()
	now := s.now()
	err := s.d.Store.InsertRefreshToken(ctx, RefreshToken{
		Hash: hash, FamilyID: family, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.d.RefreshTTL),
	})
	if err != nil {
		return Session{}, fmt.Errorf("store refresh token: %w", err)
	}
	return Session{User: u, RefreshToken: token}, nil
}

func (s *Service) signAccess(sess Session) (Session, error) {
	if s.d.Tokens == nil {
		return Session{}, errors.New("auth service: no token issuer")
	}
	tok, exp, err := s.d.Tokens.Issue(sess.User.ID, sess.User.Role)
	if err != nil {
		return Session{}, err
	}
	sess.AccessToken, sess.AccessExpires, sess.AccessTTL = tok, exp, exp.Sub(s.d.Now())
	return sess, nil
}

// storeError turns the store's sentinels into application errors.
func storeError(err error) error {
	switch {
	case errors.Is(err, ErrDuplicateEmail):
		return &apperr.Error{Code: apperr.Conflict, Reason: "duplicate_email", Field: "email",
			Message: "an account with this e-mail already exists", Err: err}
	case errors.Is(err, ErrNotFound):
		return &apperr.Error{Code: apperr.Unauthenticated, Message: "the account no longer exists", Err: err}
	}
	return err
}
