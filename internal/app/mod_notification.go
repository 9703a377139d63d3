package app

import (
	"context"
	"fmt"

	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/managetoken"
	"github.com/slotwise/slotwise/internal/notification"
	"github.com/slotwise/slotwise/internal/notification/consumer"
	notifhttp "github.com/slotwise/slotwise/internal/notification/httpapi"
	"github.com/slotwise/slotwise/internal/notification/mailer"
	notifsql "github.com/slotwise/slotwise/internal/notification/sqlstore"
)

// notificationModule wires the notification service into the module table.
var notificationModule = Module{
	Name:       "notification",
	Migrations: notifsql.Migrations,
	OpenAPI:    notifhttp.OpenAPI,
	New:        newNotification,
}

func newNotification(d Deps) (Instance, error) {
	sender, err := newSender(d)
	if err != nil {
		return Instance{}, err
	}
	backoff := notification.Backoff{Attempts: d.Retry.Attempts, Base: d.Retry.BaseDelay, Max: d.Retry.MaxDelay}
	key := d.LinkKey
	links := notification.Links{Base: d.PublicURL, Token: func(bookingID string) string { return managetoken.For(key, bookingID) }}
	svc, err := notification.NewService(notifsql.New(d.DB), d.Outbox, sender, notification.Options{
		Now: d.Now, Logger: d.Logger, From: d.MailFrom, RetryAttempts: d.Retry.Attempts,
		ReminderRetry: backoff, WebhookRetry: backoff, PollInterval: d.PollInterval, Links: links,
	})
	if err != nil {
		return Instance{}, err
	}
	h := notifhttp.New(svc, d.Logger)
	return Instance{
		Routes:        h.Routes,
		Subscriptions: []eventbus.Subscription{consumer.Events(svc)},
		Background:    func(ctx context.Context) { svc.Run(ctx) },
	}, nil
}

// newSender returns the e-mail channel: SMTP when a URL is configured,
// else the log.
func newSender(d Deps) (notification.Sender, error) {
	if d.SMTPURL == "" {
		return mailer.NewLog(d.Logger.With("channel", "log")), nil
	}
	cfg, err := mailer.ParseSMTPURL(d.SMTPURL)
	if err != nil {
		return nil, err
	}
	return mailer.NewSMTP(cfg, d.MailFrom)
}

// validateMail checks the notification mail server URL (Config.Validate);
// an empty MailFrom means the service's default sender.
func (c Config) validateMail() error {
	if c.SMTPURL != "" {
		if _, err := mailer.ParseSMTPURL(c.SMTPURL); err != nil {
			return fmt.Errorf("smtp-url: %w", err)
		}
	}
	return nil
}
