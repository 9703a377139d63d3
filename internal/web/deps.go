package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/web/csrf"
)

// Businesses is what the pages read of the business service.
// *business.Service satisfies it.
type Businesses interface {
	// Public is (*business.Service).Public: a business's public view by
	// subdomain.
	Public(ctx context.Context, subdomain string) (business.PublicView, error)
	// PublicByID is (*business.Service).PublicByID: the public view of a
	// booking's business, by id.
	PublicByID(ctx context.Context, id string) (business.PublicView, error)
}

// Scheduler is what the pages use of the scheduling service.
// *scheduling.Service satisfies it.
type Scheduler interface {
	// Slots is (*scheduling.Service).Slots. The pages set
	// SlotQuery.IgnoreBookingID only for a booking whose manage token they
	// have checked (BookingByToken): the search for its new time.
	Slots(ctx context.Context, q scheduling.SlotQuery) (scheduling.SlotAnswer, error)
	// CreateBooking is (*scheduling.Service).CreateBooking.
	CreateBooking(ctx context.Context, actor scheduling.Actor, in scheduling.BookingInput) (scheduling.Created, error)
	// BookingByToken is (*scheduling.Service).BookingByToken: the booking
	// of a manage link (/m/{token}).
	BookingByToken(ctx context.Context, token string) (scheduling.Booking, error)
	// Cancel is (*scheduling.Service).Cancel.
	Cancel(ctx context.Context, actor scheduling.Actor, id, reason string) (scheduling.Booking, error)
	// Reschedule is (*scheduling.Service).Reschedule.
	Reschedule(ctx context.Context, actor scheduling.Actor, id, startTime string) (scheduling.Booking, error)
}

// Payments is what the pages use of the payment service.
// *payment.Service satisfies it.
type Payments interface {
	// PaymentOfBooking is (*payment.Service).PaymentOfBooking.
	PaymentOfBooking(ctx context.Context, c payment.Caller, bookingID string) (payment.Payment, error)
	// PaySandbox is (*payment.Service).PaySandbox.
	PaySandbox(ctx context.Context, paymentID, cardNumber string) (payment.Payment, error)
	// ProviderName is (*payment.Service).ProviderName.
	ProviderName() string
	// CancellationRefund is (*payment.Service).CancellationRefund: what
	// cancelling a booking now refunds, and the refund policy in words,
	// stated before the client confirms.
	CancellationRefund(ctx context.Context, c payment.Caller, bookingID string, at time.Time) (payment.RefundQuote, error)
	// StartCheckout is (*payment.Service).StartCheckout: the provider's
	// hosted payment page (Stripe Checkout) for a booking, for a provider
	// other than the sandbox.
	StartCheckout(ctx context.Context, c payment.Caller, bookingID string, page payment.CheckoutPage) (string, error)
}

// Accounts is what the account pages use of the auth service: sign-in,
// sign-up, and a browser session's refresh and sign-out. *auth.Service
// satisfies it.
type Accounts interface {
	// Login is (*auth.Service).Login.
	Login(ctx context.Context, email, password, clientAddr string) (auth.Session, error)
	// Register is (*auth.Service).Register.
	Register(ctx context.Context, reg auth.Registration) (auth.Session, error)
	// Refresh is (*auth.Service).Refresh: the rotation of a refresh token.
	Refresh(ctx context.Context, token string) (auth.Session, error)
	// Logout is (*auth.Service).Logout.
	Logout(ctx context.Context, token string) error
}

// TokenVerifier checks the access token a browser session holds.
// *authn.Tokens satisfies it.
type TokenVerifier interface {
	// Verify is (*authn.Tokens).Verify.
	Verify(token string) (authn.Principal, error)
}

// ClientBookings lists a signed-in user's own bookings ("My bookings").
// *scheduling.Service satisfies it.
type ClientBookings interface {
	// ClientBookings is (*scheduling.Service).ClientBookings.
	ClientBookings(ctx context.Context, actor scheduling.Actor, q scheduling.ClientListQuery) (scheduling.BookingPage, error)
}

// Deps are what a Site needs.
type Deps struct {
	Businesses Businesses
	Scheduler  Scheduler
	Payments   Payments
	// Accounts, when set, enables signing in (/signin, /signup, /signout)
	// and the signed-in pages (/bookings, /app); Tokens, ClientBookings
	// and Config.LinkKey are then required.
	Accounts Accounts
	// Tokens verifies the access tokens of browser sessions.
	Tokens TokenVerifier
	// ClientBookings lists a signed-in user's bookings.
	ClientBookings ClientBookings
	// Logger records internal errors (default: discard).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Config is the Site's configuration.
type Config struct {
	// CSRFKey signs form tokens: at least csrf.MinKeyLen random bytes,
	// the same on every instance.
	CSRFKey []byte
	// FormTTL is how long a rendered form may be submitted (default 2 h).
	FormTTL time.Duration
	// PublicURL is the site's absolute base URL ("https://slotwise.example"),
	// for links that leave the site (calendar files); empty: taken from the
	// request's Host.
	PublicURL string
	// DemoSubdomain, when set, is linked from the landing page.
	DemoSubdomain string
	// ProductName names the product in the header (default "SlotWise").
	ProductName string
	// LinkKey derives bookings' manage tokens (package managetoken), for
	// the links of "My bookings"; required with Deps.Accounts.
	LinkKey []byte
	// SessionKey seals the session cookie (at least 32 random bytes, the
	// same on every instance); default: derived from CSRFKey.
	SessionKey []byte
	// SessionMaxAge is the session cookie's lifetime, renewed at each
	// refresh (default DefaultSessionMaxAge).
	SessionMaxAge time.Duration
}

// DefaultFormTTL is Config.FormTTL's default.
const DefaultFormTTL = 2 * time.Hour

func (d *Deps) check() error {
	switch {
	case d.Businesses == nil:
		return errors.New("web: Deps.Businesses is required")
	case d.Scheduler == nil:
		return errors.New("web: Deps.Scheduler is required")
	case d.Payments == nil:
		return errors.New("web: Deps.Payments is required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return nil
}

func (c *Config) check(now func() time.Time) (*csrf.Signer, error) {
	if c.FormTTL <= 0 {
		c.FormTTL = DefaultFormTTL
	}
	if c.ProductName == "" {
		c.ProductName = "SlotWise"
	}
	s, err := csrf.New(c.CSRFKey, c.FormTTL, now)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return s, nil
}
