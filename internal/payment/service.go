package payment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/money"
)

// Options configure a Service.
type Options struct {
	// Provider takes the payments (required).
	Provider Provider
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Policy decides refunds of cancelled bookings (default: full refund
	// DefaultRefundWindow or more before the start, none after).
	Policy RefundPolicy
	// DefaultCurrency applies to a booking.created without a currency
	// (default "USD").
	DefaultCurrency string
	// Logger records ignored webhooks (default: discards).
	Logger *slog.Logger
}

// Service is the payment service's use cases.
type Service struct {
	store    Store
	events   Events
	provider Provider
	now      func() time.Time
	policy   RefundPolicy
	currency string
	log      *slog.Logger
}

// NewService returns the payment service on store, recording events with
// events.
func NewService(store Store, events Events, opts Options) (*Service, error) {
	if opts.Provider == nil {
		return nil, errors.New("payment: a provider is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Policy.Window == 0 {
		opts.Policy.Window = DefaultRefundWindow
	}
	if opts.DefaultCurrency == "" {
		opts.DefaultCurrency = "USD"
	}
	if _, err := money.Digits(opts.DefaultCurrency); err != nil {
		return nil, fmt.Errorf("payment: default currency: %w", err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, events: events, provider: opts.Provider, now: func() time.Time { return opts.Now().UTC() },
		policy: opts.Policy, currency: opts.DefaultCurrency, log: opts.Logger}, nil
}

// ProviderName names the provider in use.
func (s *Service) ProviderName() string { return s.provider.Name() }

// record records an event of p with the booking chain's correlation id.
func (s *Service) record(ctx context.Context, p Payment, eventType string, data any) error {
	if p.CorrelationID != "" {
		ctx = event.WithCorrelationID(ctx, p.CorrelationID)
	}
	if _, err := s.events.Record(ctx, p.ID, eventType, data); err != nil {
		return fmt.Errorf("record %s of %s: %w", eventType, p.ID, err)
	}
	return nil
}

// notFound turns the store's ErrNotFound into the API's 404.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, ErrNotFound) {
		return apperr.New(apperr.NotFound, format, args...)
	}
	return err
}
