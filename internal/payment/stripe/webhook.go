package stripe

import (
	"encoding/json"
	"fmt"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/slotwise/slotwise/internal/payment"
)

// The webhook event types that carry payment outcomes.
const (
	EventIntentSucceeded = "payment_intent.succeeded"
	EventIntentFailed    = "payment_intent.payment_failed"
	EventChargeRefunded  = "charge.refunded"
)

// ParseWebhook verifies the Stripe-Signature header of payload (the
// signing secret, and a timestamp within the tolerance) and decodes the
// event. Events of other types are returned as not relevant.
func (pr *Provider) ParseWebhook(payload []byte, signature string) (payment.Notification, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, signature, pr.cfg.WebhookSecret,
		webhook.ConstructEventOptions{Tolerance: pr.cfg.Tolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		return payment.Notification{}, fmt.Errorf("%w: %w", payment.ErrBadWebhook, err)
	}
	if ev.ID == "" || ev.Data == nil {
		return payment.Notification{}, fmt.Errorf("%w: event without id or data", payment.ErrBadWebhook)
	}
	n := payment.Notification{EventID: ev.ID}
	switch string(ev.Type) {
	case EventIntentSucceeded, EventIntentFailed:
		n.Outcome, err = intentOutcome(string(ev.Type), ev.Data.Raw)
	case EventChargeRefunded:
		n.Outcome, err = refundOutcome(ev.Data.Raw)
	default:
		return n, nil
	}
	if err != nil {
		return payment.Notification{}, fmt.Errorf("%w: %s %s: %w", payment.ErrBadWebhook, ev.Type, ev.ID, err)
	}
	n.Relevant = true
	return n, nil
}

// intentObject is the part of a PaymentIntent the outcomes need.
type intentObject struct {
	ID                 string   `json:"id"`
	PaymentMethodTypes []string `json:"payment_method_types"`
	LastPaymentError   *struct {
		Code        string `json:"code"`
		DeclineCode string `json:"decline_code"`
	} `json:"last_payment_error"`
}

func intentOutcome(eventType string, raw json.RawMessage) (payment.Outcome, error) {
	var pi intentObject
	if err := json.Unmarshal(raw, &pi); err != nil || pi.ID == "" {
		return payment.Outcome{}, fmt.Errorf("payment intent without id (%v)", err)
	}
	if eventType == EventIntentSucceeded {
		method := "card"
		if len(pi.PaymentMethodTypes) > 0 && pi.PaymentMethodTypes[0] != "" {
			method = pi.PaymentMethodTypes[0]
		}
		return payment.Outcome{Kind: payment.OutcomeSucceeded, ProviderRef: pi.ID, Method: method}, nil
	}
	reason := "payment_failed"
	if e := pi.LastPaymentError; e != nil && e.DeclineCode != "" {
		reason = e.DeclineCode
	} else if e != nil && e.Code != "" {
		reason = e.Code
	}
	return payment.Outcome{Kind: payment.OutcomeFailed, ProviderRef: pi.ID, FailureReason: reason}, nil
}

// chargeObject is the part of a Charge a refund outcome needs.
type chargeObject struct {
	ID             string          `json:"id"`
	PaymentIntent  json.RawMessage `json:"payment_intent"` // an id or the expanded object
	AmountRefunded int64           `json:"amount_refunded"`
	Refunds        *struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	} `json:"refunds"`
}

func refundOutcome(raw json.RawMessage) (payment.Outcome, error) {
	var ch chargeObject
	if err := json.Unmarshal(raw, &ch); err != nil {
		return payment.Outcome{}, fmt.Errorf("charge: %w", err)
	}
	var intentID string
	if json.Unmarshal(ch.PaymentIntent, &intentID) != nil {
		var obj struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(ch.PaymentIntent, &obj) // an empty id is refused below
		intentID = obj.ID
	}
	if intentID == "" {
		return payment.Outcome{}, fmt.Errorf("charge %s without payment_intent", ch.ID)
	}
	o := payment.Outcome{Kind: payment.OutcomeRefunded, ProviderRef: intentID, RefundedTotal: ch.AmountRefunded, RefundRef: ch.ID}
	if ch.Refunds != nil && len(ch.Refunds.Data) > 0 && ch.Refunds.Data[0].ID != "" {
		o.RefundRef = ch.Refunds.Data[0].ID
	}
	return o, nil
}
