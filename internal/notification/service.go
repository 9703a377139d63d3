package notification

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Options configure a Service. Store, Events and Sender are required.
type Options struct {
	Now    func() time.Time // default time.Now
	Logger *slog.Logger     // default: discards
	// From is the sender of e-mails (default "SlotWise
	// <no-reply@slotwise.local>"; NewService refuses one net/mail cannot
	// parse). Its address sends every message and organizes invitations,
	// its domain ends Message-IDs; messages about a booking replace its
	// name with the business's.
	From string
	// RetryAttempts is the consumer runtime's attempts per event: the
	// failure of the last one is announced as notification.failed.
	RetryAttempts int
	// ReminderRetry and WebhookRetry are the retry schedules of reminders
	// and queued messages, and of webhook deliveries (defaults: 5 attempts
	// from 30 s to 1 h; 8 attempts from 30 s to 6 h).
	ReminderRetry Backoff
	WebhookRetry  Backoff
	// PollInterval is how often the reminder scheduler, the queue sender
	// and the webhook dispatcher look for due work (default 1 s; the
	// dispatcher and the queue sender are also woken when an event queued
	// work for them).
	PollInterval time.Duration
	// WebhookTimeout bounds one webhook POST (default 10 s).
	WebhookTimeout time.Duration
	// Links builds the absolute links of messages (manage page, payment
	// step, booking page, owner dashboard); without it messages carry
	// none.
	Links Links
}

// Service is the notification service: projections from events, messages
// for the events that concern a person, reminders and webhooks.
type Service struct {
	store  Store
	events Events
	sender Sender
	tpl    *Templates
	opts   Options
	// fromAddr is the bare address of Options.From: the sender of every
	// message and the ORGANIZER of invitations; domain ends Message-IDs.
	fromAddr  string
	domain    string
	client    *http.Client
	wake      chan struct{}  // the webhook dispatcher's
	wakeQueue chan struct{}  // the queue sender's
	bg        sync.WaitGroup // failure records written after a handler's rollback
	// failMu serialises those records: each reads the ledger row, takes
	// the larger attempt count and writes it back, and two attempts' records
	// in flight at once would otherwise lose one's count.
	failMu sync.Mutex
}

// NewService returns the service on store, recording its events with
// events and sending through sender.
func NewService(store Store, events Events, sender Sender, opts Options) (*Service, error) {
	if store == nil || events == nil || sender == nil {
		return nil, errors.New("notification: store, events and sender are required")
	}
	tpl, err := LoadTemplates()
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	from, err := mail.ParseAddress(opts.From)
	if err != nil {
		return nil, fmt.Errorf("notification: sender %q: %w", opts.From, err)
	}
	s := &Service{
		store: store, events: events, sender: sender, tpl: tpl, opts: opts,
		fromAddr: from.Address, domain: addrDomain(from.Address),
		wake: make(chan struct{}, 1), wakeQueue: make(chan struct{}, 1),
	}
	s.client = &http.Client{
		Timeout: opts.WebhookTimeout,
		// A redirect is a failed delivery: the signature covers the URL
		// the owner registered, nothing else.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return s, nil
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.From == "" {
		o.From = "SlotWise <no-reply@slotwise.local>"
	}
	if o.RetryAttempts <= 0 {
		o.RetryAttempts = 3
	}
	o.ReminderRetry = o.ReminderRetry.orDefault(Backoff{Attempts: 5, Base: 30 * time.Second, Max: time.Hour})
	o.WebhookRetry = o.WebhookRetry.orDefault(Backoff{Attempts: 8, Base: 30 * time.Second, Max: 6 * time.Hour})
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = 10 * time.Second
	}
	return o
}

func (b Backoff) orDefault(d Backoff) Backoff {
	if b.Attempts <= 0 {
		b.Attempts = d.Attempts
	}
	if b.Base <= 0 {
		b.Base = d.Base
	}
	if b.Max < b.Base {
		b.Max = max(d.Max, b.Base)
	}
	return b
}

// addrDomain returns the domain of a bare address.
func addrDomain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return addr[i+1:]
	}
	return "slotwise.local"
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

func newID(prefix string) string { return prefix + ulid.Make().String() }

// Close waits for the failure records still being written.
func (s *Service) Close() { s.bg.Wait() }

// Run runs the reminder scheduler, the queue sender and the webhook
// dispatcher until ctx ends.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.loop(ctx, nil, "reminders", s.FireDueReminders) })
	wg.Go(func() { s.loop(ctx, s.wakeQueue, "queue", s.SendQueued) })
	wg.Go(func() { s.loop(ctx, s.wake, "webhooks", s.DispatchWebhooks) })
	wg.Wait()
	s.Close()
}

func (s *Service) loop(ctx context.Context, wake <-chan struct{}, what string, pass func(context.Context) (int, error)) {
	t := time.NewTicker(s.opts.PollInterval)
	defer t.Stop()
	for {
		if _, err := pass(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Warn("notification "+what+" pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

// WakeDispatcher makes the webhook dispatcher look for due deliveries now
// (call it after a transaction that queued some commits).
func (s *Service) WakeDispatcher() { poke(s.wake) }

// WakeQueue makes the queue sender look for due messages now (call it
// after a transaction that queued some commits).
func (s *Service) WakeQueue() { poke(s.wakeQueue) }

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
