package payment_test

import (
	"errors"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/payment"
)

var now = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func open(amount int64) payment.Payment {
	return payment.Payment{ID: "pay_1", Amount: amount, Currency: "USD", Status: payment.StatusRequiresPayment}
}

func TestSucceedHappensOnce(t *testing.T) {
	p := open(100)
	if !p.Succeed("card", now) || p.Status != payment.StatusSucceeded || p.Method != "card" {
		t.Fatalf("first success: %+v", p)
	}
	for _, st := range []payment.Status{payment.StatusSucceeded, payment.StatusRefunded, payment.StatusPartiallyRefunded} {
		q := p
		q.Status = st
		if q.Succeed("card", now) {
			t.Errorf("success of a %s payment changed it", st)
		}
	}
}

func TestDeclinedAttemptsLeaveThePaymentPayable(t *testing.T) {
	p := open(100)
	for _, reason := range []string{"card_declined", "insufficient_funds"} {
		if !p.Fail(reason, now) || p.Status != payment.StatusRequiresPayment || !p.Payable() || p.FailureReason != reason {
			t.Fatalf("decline %s: %+v", reason, p)
		}
	}
	if !p.Succeed("card", now) || p.Status != payment.StatusSucceeded || p.FailureReason != "" {
		t.Errorf("success after declines: %+v", p)
	}
	if p.Fail("stale", now) || p.Status != payment.StatusSucceeded || p.FailureReason != "" {
		t.Errorf("failure after success changed the payment: %+v", p)
	}
	if p.Cancel(now) || p.Status != payment.StatusSucceeded {
		t.Errorf("cancel of a paid payment changed it: %+v", p)
	}
}

func TestCancelClosesAnUnpaidPayment(t *testing.T) {
	p := open(100)
	p.Fail("card_declined", now)
	if !p.Cancel(now) || p.Status != payment.StatusCanceled || p.Payable() || p.FailureReason != "card_declined" {
		t.Fatalf("cancel: %+v", p)
	}
	if p.Cancel(now) {
		t.Error("second cancel reported a change")
	}
	if p.Fail("card_declined", now) || p.Status != payment.StatusCanceled {
		t.Errorf("failure after cancel changed the payment: %+v", p)
	}
	// The provider took the money after all: accepted, for a refund.
	if !p.Succeed("card", now) || p.Status != payment.StatusSucceeded || !p.Paid() || p.Refundable() != 100 {
		t.Errorf("late success after cancel: %+v", p)
	}
}

func TestFailureMessage(t *testing.T) {
	tests := map[string]string{
		"card_declined":      "Your card was declined.",
		"insufficient_funds": "Your card has insufficient funds.",
		"expired_card":       "Your card has expired.",
		"fraudulent":         "Your card was declined.",
		"payment_failed":     "Your payment did not go through.",
		"some_new_code":      "Your payment did not go through.",
		"":                   "",
	}
	for reason, want := range tests {
		if got := payment.FailureMessage(reason); got != want {
			t.Errorf("FailureMessage(%q) = %q, want %q", reason, got, want)
		}
	}
	// Whatever the sandbox declines with is in the table.
	for _, card := range []string{payment.CardDeclined, payment.CardInsufficientFunds} {
		_, reason, _ := payment.SandboxCharge(card)
		if got := payment.FailureMessage(reason); got == "" || got == payment.FailureMessage("some_new_code") {
			t.Errorf("sandbox reason %q has no message of its own: %q", reason, got)
		}
	}
}

func TestRefunds(t *testing.T) {
	p := open(1000)
	if err := p.Refund(100, now); !errors.Is(err, payment.ErrTransition) {
		t.Fatalf("refund before payment: %v", err)
	}
	p.Succeed("card", now)
	if err := p.Refund(300, now); err != nil || p.Status != payment.StatusPartiallyRefunded || p.Refundable() != 700 {
		t.Fatalf("partial refund: %v %+v", err, p)
	}
	if err := p.Refund(701, now); !errors.Is(err, payment.ErrTransition) {
		t.Fatalf("over-refund: %v", err)
	}
	if err := p.Refund(0, now); !errors.Is(err, payment.ErrTransition) {
		t.Fatalf("zero refund: %v", err)
	}
	if err := p.Refund(700, now); err != nil || p.Status != payment.StatusRefunded || p.Refundable() != 0 {
		t.Fatalf("rest: %v %+v", err, p)
	}
}

func TestSandboxCharge(t *testing.T) {
	tests := []struct {
		card   string
		kind   payment.OutcomeKind
		reason string
		code   apperr.Code
	}{
		{"4242 4242 4242 4242", payment.OutcomeSucceeded, "", ""},
		{"4242424242424242", payment.OutcomeSucceeded, "", ""},
		{"4000 0000 0000 0002", payment.OutcomeFailed, "card_declined", ""},
		{"4000000000009995", payment.OutcomeFailed, "insufficient_funds", ""},
		{"5555 5555 5555 4444", "", "", apperr.Unprocessable},
		{"4242-4242-4242-4242", "", "", apperr.Invalid},
		{"", "", "", apperr.Invalid},
		{"42", "", "", apperr.Invalid},
	}
	for _, tt := range tests {
		kind, reason, err := payment.SandboxCharge(tt.card)
		if kind != tt.kind || reason != tt.reason {
			t.Errorf("SandboxCharge(%q) = %q, %q; want %q, %q", tt.card, kind, reason, tt.kind, tt.reason)
		}
		if tt.code == "" && err != nil || tt.code != "" && apperr.CodeOf(err) != tt.code {
			t.Errorf("SandboxCharge(%q) err = %v, want code %q", tt.card, err, tt.code)
		}
		if tt.code != "" && apperr.As(err).Field != "cardNumber" {
			t.Errorf("SandboxCharge(%q) error does not name cardNumber", tt.card)
		}
	}
}

func TestRefundPolicy(t *testing.T) {
	start := now.Add(72 * time.Hour)
	tests := []struct {
		name   string
		policy payment.RefundPolicy
		at     time.Time
		want   int64
	}{
		{"two days ahead: full", payment.RefundPolicy{Window: 24 * time.Hour}, start.Add(-48 * time.Hour), 1000},
		{"exactly the window: full", payment.RefundPolicy{Window: 24 * time.Hour}, start.Add(-24 * time.Hour), 1000},
		{"inside the window: none", payment.RefundPolicy{Window: 24 * time.Hour}, start.Add(-23 * time.Hour), 0},
		{"after the start: none", payment.RefundPolicy{Window: 24 * time.Hour}, start.Add(time.Hour), 0},
		{"late percent", payment.RefundPolicy{Window: 24 * time.Hour, LatePercent: 50}, start.Add(-time.Hour), 500},
		{"custom window", payment.RefundPolicy{Window: 2 * time.Hour}, start.Add(-3 * time.Hour), 1000},
	}
	for _, tt := range tests {
		if got := tt.policy.ForCancellation(1000, start, tt.at); got != tt.want {
			t.Errorf("%s: refund %d, want %d", tt.name, got, tt.want)
		}
	}
}
