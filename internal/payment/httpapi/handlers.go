// Package httpapi is the payment service's HTTP API: a booking's payment,
// the sandbox's pay endpoint and the Stripe webhook, with the OpenAPI
// fragment (openapi.json) documenting exactly the routes Routes registers.
// Authorization and verification are the use cases' job.
package httpapi

import (
	_ "embed"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/authn"
	api "github.com/slotwise/slotwise/internal/httpapi"
	"github.com/slotwise/slotwise/internal/money"
	"github.com/slotwise/slotwise/internal/payment"
)

// OpenAPI is the service's OpenAPI 3 fragment ({"paths", "components"}).
//
//go:embed openapi.json
var OpenAPI []byte

// MaxWebhookBytes bounds a webhook delivery's body.
const MaxWebhookBytes = 256 << 10

// Routes.
const (
	bookingPayment = "/api/v1/bookings/{id}/payment"
	sandboxPay     = "/api/v1/payments/sandbox/{paymentId}/pay"
	stripeWebhook  = "/api/v1/payments/webhooks/stripe"
)

// Handler serves the payment API.
type Handler struct {
	svc *payment.Service
	log *slog.Logger
}

// New returns the handlers of svc; log records internal errors.
func New(svc *payment.Service, log *slog.Logger) *Handler { return &Handler{svc: svc, log: log} }

// Routes registers every route of the payment API.
func (h *Handler) Routes(r *api.Router) {
	r.HandleFunc("GET", bookingPayment, h.getPayment)
	r.HandleFunc("POST", sandboxPay, h.paySandbox)
	r.HandleFunc("POST", stripeWebhook, h.stripeWebhook)
}

// paymentBody is a payment as the API shows it; amounts in major units.
type paymentBody struct {
	PaymentID      string  `json:"paymentId"`
	BookingID      string  `json:"bookingId"`
	Status         string  `json:"status"`
	Provider       string  `json:"provider"`
	Amount         float64 `json:"amount"`
	Currency       string  `json:"currency"`
	RefundedAmount float64 `json:"refundedAmount"`
	ClientSecret   string  `json:"clientSecret,omitempty"`
	PayURL         string  `json:"payUrl,omitempty"`
	Method         string  `json:"method,omitempty"`
	FailureReason  string  `json:"failureReason,omitempty"`
	FailureMessage string  `json:"failureMessage,omitempty"`
	Payable        bool    `json:"payable"`
}

func bodyOf(p payment.Payment) paymentBody {
	return paymentBody{
		PaymentID: p.ID, BookingID: p.BookingID, Status: string(p.Status), Provider: p.Provider,
		Amount: money.Float(p.Amount, p.Currency), Currency: p.Currency, RefundedAmount: money.Float(p.Refunded, p.Currency),
		ClientSecret: p.ClientSecret, PayURL: p.PayURL, Method: p.Method, FailureReason: p.FailureReason,
		FailureMessage: payment.FailureMessage(p.FailureReason), Payable: p.Payable(),
	}
}

func (h *Handler) getPayment(w http.ResponseWriter, r *http.Request) {
	c := payment.Caller{Token: r.URL.Query().Get("token")}
	if p, ok := authn.FromContext(r.Context()); ok {
		c.UserID, c.Admin = p.UserID, p.Role == authn.RoleAdmin
	}
	p, err := h.svc.PaymentOfBooking(r.Context(), c, r.PathValue("id"))
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, bodyOf(p))
}

type payInput struct {
	CardNumber string `json:"cardNumber"`
}

// paySandbox answers 200 with the succeeded payment, or 402 with the
// payment still payable and the decline's failureReason.
func (h *Handler) paySandbox(w http.ResponseWriter, r *http.Request) {
	var in payInput
	if err := api.DecodeJSON(r, w, &in); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	p, err := h.svc.PaySandbox(r.Context(), r.PathValue("paymentId"), in.CardNumber)
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	status := http.StatusOK
	if p.Payable() {
		status = http.StatusPaymentRequired // declined: try again
	}
	api.WriteJSON(w, status, bodyOf(p))
}

type webhookReceipt struct {
	Received bool `json:"received"`
}

func (h *Handler) stripeWebhook(w http.ResponseWriter, r *http.Request) {
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBytes))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		api.WriteError(w, r, h.log, apperr.New(apperr.TooLarge, "webhook body exceeds %d bytes", maxErr.Limit))
		return
	}
	if err != nil {
		api.WriteError(w, r, h.log, apperr.New(apperr.Invalid, "read webhook body: %v", err))
		return
	}
	if err := h.svc.HandleWebhook(r.Context(), "stripe", payload, r.Header.Get("Stripe-Signature")); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, webhookReceipt{Received: true})
}
