package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

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
	// Business is (*business.Service).Business. The pages use it only to
	// find the subdomain of a booking's business (see businessOf): the
	// business service has no public lookup by id yet.
	Business(ctx context.Context, actor business.Actor, id string) (business.Business, error)
}

// Scheduler is what the pages use of the scheduling service.
// *scheduling.Service satisfies it.
type Scheduler interface {
	// Slots is (*scheduling.Service).Slots.
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
}

// Deps are what a Site needs.
type Deps struct {
	Businesses Businesses
	Scheduler  Scheduler
	Payments   Payments
	// RefundPolicy is the payment service's policy (the app's
	// payment.Options.Policy), stated before a client cancels; the payment
	// service applies it.
	RefundPolicy payment.RefundPolicy
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
