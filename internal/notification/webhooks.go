package notification

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
)

// Owner is who asks for a business's webhooks: a user id, and whether
// they are an admin (who may see every business).
type Owner struct {
	UserID string
	Admin  bool
}

// ownedBusiness returns the business if owner owns it; another owner's
// business is "not found", like one that does not exist.
func (s *Service) ownedBusiness(ctx context.Context, owner Owner, businessID string) (Business, error) {
	b, err := s.store.Business(ctx, businessID)
	if errors.Is(err, ErrNotFound) || (err == nil && !owner.Admin && b.OwnerID != owner.UserID) {
		return Business{}, apperr.New(apperr.NotFound, "no business %q", businessID)
	}
	return b, err
}

// CreateWebhook registers url for types on a business of owner. The
// returned Webhook carries its secret: the only time it is shown.
func (s *Service) CreateWebhook(ctx context.Context, owner Owner, businessID, url string, types []string) (Webhook, error) {
	if _, err := s.ownedBusiness(ctx, owner, businessID); err != nil {
		return Webhook{}, err
	}
	if field, err := ValidateWebhook(url, types); err != nil {
		return Webhook{}, apperr.Field(apperr.Invalid, field, "%v", err)
	}
	secret, err := NewWebhookSecret()
	if err != nil {
		return Webhook{}, err
	}
	types = slices.Compact(slices.Sorted(slices.Values(types)))
	w := Webhook{ID: newID("wh_"), BusinessID: businessID, URL: url, EventTypes: types, Secret: secret, CreatedAt: s.now()}
	if err := s.store.CreateWebhook(ctx, w); err != nil {
		return Webhook{}, err
	}
	return w, nil
}

// Webhooks lists a business's webhooks (without their secrets).
func (s *Service) Webhooks(ctx context.Context, owner Owner, businessID string) ([]Webhook, error) {
	if _, err := s.ownedBusiness(ctx, owner, businessID); err != nil {
		return nil, err
	}
	ws, err := s.store.Webhooks(ctx, businessID)
	for i := range ws {
		ws[i].Secret = ""
	}
	return ws, err
}

// DeleteWebhook removes a webhook and its deliveries.
func (s *Service) DeleteWebhook(ctx context.Context, owner Owner, businessID, id string) error {
	if _, err := s.ownedBusiness(ctx, owner, businessID); err != nil {
		return err
	}
	return notFound(s.store.DeleteWebhook(ctx, businessID, id), "webhook", id)
}

// WebhookDeliveries lists a webhook's deliveries with their attempts.
func (s *Service) WebhookDeliveries(ctx context.Context, owner Owner, businessID, webhookID string) ([]WebhookDelivery, error) {
	if _, err := s.ownedBusiness(ctx, owner, businessID); err != nil {
		return nil, err
	}
	if _, err := s.store.Webhook(ctx, businessID, webhookID); err != nil {
		return nil, notFound(err, "webhook", webhookID)
	}
	return s.store.WebhookDeliveries(ctx, webhookID)
}

// ResendWebhookDelivery makes a delivery pending again, due now, with a
// fresh round of attempts (its history stays).
func (s *Service) ResendWebhookDelivery(ctx context.Context, owner Owner, businessID, webhookID, id string) (WebhookDelivery, error) {
	if _, err := s.ownedBusiness(ctx, owner, businessID); err != nil {
		return WebhookDelivery{}, err
	}
	var d WebhookDelivery
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		if _, err := s.store.Webhook(ctx, businessID, webhookID); err != nil {
			return notFound(err, "webhook", webhookID)
		}
		var err error
		if d, err = s.store.WebhookDelivery(ctx, webhookID, id); err != nil {
			return notFound(err, "delivery", id)
		}
		d.Status, d.Attempts, d.NextAttemptAt, d.UpdatedAt = WebhookPending, 0, s.now(), s.now()
		return s.store.UpdateWebhookDelivery(ctx, d)
	})
	if err == nil {
		s.WakeDispatcher()
	}
	return d, err
}

func notFound(err error, what, id string) error {
	if errors.Is(err, ErrNotFound) {
		return apperr.New(apperr.NotFound, "no %s %q", what, id)
	}
	return err
}

// businessRef is the businessId every booking.* and payment.* payload has.
type businessRef struct {
	BusinessID string `json:"businessId"`
}

// QueueWebhooks adds a delivery of ev for each webhook of its business
// that asked for its type, in the transaction ctx carries. The consumer
// calls it for every event it handles, before the event's handler; call
// WakeDispatcher once that transaction has committed.
func (s *Service) QueueWebhooks(ctx context.Context, ev event.Envelope) error {
	if !slices.Contains(WebhookEventTypes, ev.Type) {
		return nil
	}
	ref, err := event.DataAs[businessRef](ev)
	if err != nil || ref.BusinessID == "" {
		return nil
	}
	ws, err := s.store.Webhooks(ctx, ref.BusinessID)
	if err != nil {
		return err
	}
	var body []byte
	for _, w := range ws {
		if !slices.Contains(w.EventTypes, ev.Type) {
			continue
		}
		if body == nil {
			if body, err = json.Marshal(ev); err != nil {
				return fmt.Errorf("webhook body of %s: %w", ev.ID, err)
			}
		}
		now := s.now()
		d := WebhookDelivery{
			ID: newID("whd_"), WebhookID: w.ID, BusinessID: w.BusinessID, EventID: ev.ID, EventType: ev.Type,
			Body: body, Status: WebhookPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
		}
		if _, err := s.store.AddWebhookDelivery(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// DispatchWebhooks POSTs every webhook delivery due now and returns how
// many it attempted. A delivery is claimed (FOR UPDATE SKIP LOCKED) and
// leased in one short transaction, posted outside any transaction, and its
// result recorded in another; a crash in between re-sends it after the
// lease (at-least-once: receivers de-duplicate by SlotWise-Delivery-Id).
func (s *Service) DispatchWebhooks(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		d, w, err := s.claimWebhookDelivery(ctx)
		if errors.Is(err, ErrNotFound) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		a := s.post(ctx, w, d)
		if err := s.recordWebhookAttempt(ctx, d, a); err != nil {
			return n, err
		}
	}
	return n, ctx.Err()
}

// webhookLease is how long a claimed delivery is left to its claimer
// before another dispatcher may take it.
func (s *Service) webhookLease() time.Duration { return 2*s.opts.WebhookTimeout + time.Minute }

func (s *Service) claimWebhookDelivery(ctx context.Context) (WebhookDelivery, Webhook, error) {
	var d WebhookDelivery
	var w Webhook
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		var err error
		if d, err = s.store.ClaimDueWebhookDelivery(ctx, s.now()); err != nil {
			return err
		}
		if w, err = s.store.Webhook(ctx, d.BusinessID, d.WebhookID); err != nil {
			return err
		}
		d.Attempts++
		d.NextAttemptAt, d.UpdatedAt = s.now().Add(s.webhookLease()), s.now()
		return s.store.UpdateWebhookDelivery(ctx, d)
	})
	return d, w, err
}

// post sends one attempt of d to w and reports its outcome.
func (s *Service) post(ctx context.Context, w Webhook, d WebhookDelivery) WebhookAttempt {
	start := s.now()
	a := WebhookAttempt{DeliveryID: d.ID, At: start}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(d.Body))
	if err != nil {
		a.Error = err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "SlotWise-Webhooks/1")
	req.Header.Set("SlotWise-Event-Type", d.EventType)
	req.Header.Set("SlotWise-Event-Id", d.EventID)
	req.Header.Set("SlotWise-Delivery-Id", d.ID)
	req.Header.Set(SignatureHeader, Sign(w.Secret, start, d.Body))
	resp, err := s.client.Do(req)
	a.Duration = s.now().Sub(start)
	if err != nil {
		a.Error = err.Error()
		return a
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if cerr := resp.Body.Close(); cerr != nil {
		s.opts.Logger.Debug("close webhook response", "err", cerr)
	}
	a.StatusCode = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		a.Error = "unexpected status " + resp.Status
	}
	return a
}

func (s *Service) recordWebhookAttempt(ctx context.Context, d WebhookDelivery, a WebhookAttempt) error {
	now := s.now()
	d.LastStatusCode, d.LastError, d.UpdatedAt = a.StatusCode, a.Error, now
	switch {
	case a.Error == "":
		d.Status = WebhookDelivered
	case d.Attempts >= s.opts.WebhookRetry.Attempts:
		d.Status = WebhookDead
	default:
		d.Status, d.NextAttemptAt = WebhookPending, now.Add(s.opts.WebhookRetry.Delay(d.Attempts))
	}
	return s.store.Atomically(context.WithoutCancel(ctx), func(ctx context.Context) error {
		if err := s.store.AddWebhookAttempt(ctx, a); err != nil {
			return err
		}
		return s.store.UpdateWebhookDelivery(ctx, d)
	})
}
