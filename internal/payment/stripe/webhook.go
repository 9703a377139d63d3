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
	// A Checkout Session paid (payment_status "paid"; a delayed method
	// completes "unpaid" and reports later with async_payment_succeeded).
	// Its failures are the failures of its PaymentIntent
	// (payment_intent.payment_failed, with the decline code), so the
	// session's own async_payment_failed is not used: it would count one
	// failed attempt twice.
	EventCheckoutCompleted    = "checkout.session.completed"
	EventCheckoutAsyncSuccess = "checkout.session.async_payment_succeeded"
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
		n.Relevant = true
	case EventChargeRefunded:
		n.Outcome, err = refundOutcome(ev.Data.Raw)
		n.Relevant = true
	case EventCheckoutCompleted, EventCheckoutAsyncSuccess:
		n.Outcome, n.Relevant, err = checkoutOutcome(string(ev.Type), ev.Data.Raw)
	default:
		return n, nil
	}
	if err != nil {
		return payment.Notification{}, fmt.Errorf("%w: %s %s: %w", payment.ErrBadWebhook, ev.Type, ev.ID, err)
	}
	return n, nil
}

// intentObject is the part of a PaymentIntent the outcomes need. The
// metadata's payment_id names the payment (set on the intents we open and
// on those Checkout opens for us).
type intentObject struct {
	ID                 string            `json:"id"`
	Metadata           map[string]string `json:"metadata"`
	PaymentMethodTypes []string          `json:"payment_method_types"`
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
		return payment.Outcome{Kind: payment.OutcomeSucceeded, PaymentID: pi.Metadata["payment_id"], ProviderRef: pi.ID, Method: method}, nil
	}
	reason := "payment_failed"
	if e := pi.LastPaymentError; e != nil && e.DeclineCode != "" {
		reason = e.DeclineCode
	} else if e != nil && e.Code != "" {
		reason = e.Code
	}
	return payment.Outcome{Kind: payment.OutcomeFailed, PaymentID: pi.Metadata["payment_id"], ProviderRef: pi.ID, FailureReason: reason}, nil
}

// sessionObject is the part of a Checkout Session the outcomes need.
type sessionObject struct {
	ID                 string            `json:"id"`
	ClientReferenceID  string            `json:"client_reference_id"`
	Metadata           map[string]string `json:"metadata"`
	PaymentStatus      string            `json:"payment_status"`
	PaymentIntent      json.RawMessage   `json:"payment_intent"` // an id or the expanded object
	PaymentMethodTypes []string          `json:"payment_method_types"`
}

// checkoutOutcome turns a Checkout Session's success into an outcome of
// the payment it names (metadata payment_id, else client_reference_id); a
// session that names none (not opened by SlotWise) or completed but not
// paid yet is not relevant.
func checkoutOutcome(eventType string, raw json.RawMessage) (payment.Outcome, bool, error) {
	var cs sessionObject
	if err := json.Unmarshal(raw, &cs); err != nil || cs.ID == "" {
		return payment.Outcome{}, false, fmt.Errorf("checkout session without id (%v)", err)
	}
	id := cs.Metadata["payment_id"]
	if id == "" {
		id = cs.ClientReferenceID
	}
	if id == "" || (eventType == EventCheckoutCompleted && cs.PaymentStatus != "paid") {
		return payment.Outcome{}, false, nil // not ours, or not paid yet
	}
	o := payment.Outcome{Kind: payment.OutcomeSucceeded, PaymentID: id, ProviderRef: idOf(cs.PaymentIntent), Method: "card"}
	if len(cs.PaymentMethodTypes) > 0 && cs.PaymentMethodTypes[0] != "" {
		o.Method = cs.PaymentMethodTypes[0]
	}
	if o.ProviderRef == "" {
		return payment.Outcome{}, false, fmt.Errorf("paid checkout session %s without payment_intent", cs.ID)
	}
	return o, true, nil
}

// idOf returns the id of a field that holds an id or an expanded object.
func idOf(raw json.RawMessage) string {
	var id string
	if json.Unmarshal(raw, &id) == nil {
		return id
	}
	var obj struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &obj) // an empty id is the caller's to refuse
	return obj.ID
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
	intentID := idOf(ch.PaymentIntent)
	if intentID == "" {
		return payment.Outcome{}, fmt.Errorf("charge %s without payment_intent", ch.ID)
	}
	o := payment.Outcome{Kind: payment.OutcomeRefunded, ProviderRef: intentID, RefundedTotal: ch.AmountRefunded, RefundRef: ch.ID}
	if ch.Refunds != nil && len(ch.Refunds.Data) > 0 && ch.Refunds.Data[0].ID != "" {
		o.RefundRef = ch.Refunds.Data[0].ID
	}
	return o, nil
}
