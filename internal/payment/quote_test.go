package payment_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/payment"
	"github.com/slotwise/slotwise/internal/payment/sandbox"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestCancellationRefund: before anyone cancels, the quote states what
// the saga then refunds — nothing of an unpaid payment, all of it early,
// the policy's late share later, nothing more once the booking is closed
// — with the policy in words; only those who may see the booking ask.
func TestCancellationRefund(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		t.Parallel()
		ctx := context.Background()
		f := newFixtureWith(t, engine, sandbox.Provider{}, payment.RefundPolicy{Window: 24 * time.Hour, LatePercent: 50})
		id, token := f.book(t) // 50 EUR, starting in 48 hours
		start := f.now.Add(48 * time.Hour)
		caller := payment.Caller{Token: token}
		const rule = "Cancellations at least 24 hours before the start are refunded in full; later ones get 50% back."
		quote := func(at time.Time) payment.RefundQuote {
			t.Helper()
			q, err := f.svc.CancellationRefund(ctx, caller, id, at)
			if err != nil {
				t.Fatal(err)
			}
			return q
		}
		if q := quote(f.now); q != (payment.RefundQuote{Currency: "EUR", Rule: rule}) || q.Refunds() {
			t.Errorf("unpaid: %+v", q)
		}
		p := f.payment(t, id, token)
		if _, err := f.svc.PaySandbox(ctx, p.ID, "4242424242424242"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			at   time.Time
			want int64
		}{
			{"two_days_before", f.now, 5000},
			{"exactly_the_window_before", start.Add(-24 * time.Hour), 5000},
			{"inside_the_window", start.Add(-24*time.Hour + time.Second), 2500},
			{"after_the_start", start.Add(time.Hour), 2500},
		} {
			if q := quote(c.at); q != (payment.RefundQuote{Amount: c.want, Paid: 5000, Currency: "EUR", Rule: rule}) || !q.Refunds() {
				t.Errorf("%s: %+v, want %d refunded", c.name, q, c.want)
			}
		}

		for name, c := range map[string]struct {
			caller payment.Caller
			id     string
			code   apperr.Code
		}{
			"no_credentials":  {payment.Caller{}, id, apperr.Unauthenticated},
			"wrong_token":     {payment.Caller{Token: "tok_other"}, id, apperr.NotFound},
			"another_user":    {payment.Caller{UserID: "user_x"}, id, apperr.NotFound},
			"unknown_booking": {caller, "booking_unknown", apperr.NotFound},
		} {
			if _, err := f.svc.CancellationRefund(ctx, c.caller, c.id, f.now); apperr.CodeOf(err) != c.code {
				t.Errorf("%s: err = %v, want %s", name, err, c.code)
			}
		}

		// The saga refunds what the quote said for a cancellation at that time.
		at := start.Add(-time.Hour)
		said := quote(at)
		if err := f.svc.ApplyBookingClosed(ctx, payment.Closure{BookingID: id, BusinessID: "biz_1", ClientID: "guest_1",
			StartTime: start, State: payment.BookingCancelled, At: at}); err != nil {
			t.Fatal(err)
		}
		types, data := f.events(t, p.ID)
		var refunded event.PaymentRefunded
		if len(types) == 0 || types[len(types)-1] != event.TypePaymentRefunded {
			t.Fatalf("events %v, want payment.refunded last", types)
		}
		if err := json.Unmarshal(data[len(data)-1], &refunded); err != nil {
			t.Fatal(err)
		}
		if refunded.Amount != float64(said.Amount)/100 || refunded.Currency != said.Currency {
			t.Errorf("refunded %v %s, quoted %d %s", refunded.Amount, refunded.Currency, said.Amount, said.Currency)
		}
		if q := quote(at); q != (payment.RefundQuote{Paid: 2500, Currency: "EUR", Rule: rule}) {
			t.Errorf("after the cancellation: %+v, want nothing more refunded", q)
		}
	})
}

// TestRefundPolicyWords: the policy in words names its window and its
// late share.
func TestRefundPolicyWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p    payment.RefundPolicy
		want string
	}{
		{payment.RefundPolicy{Window: 24 * time.Hour}, "Cancellations at least 24 hours before the start are refunded in full; later ones are not refunded."},
		{payment.RefundPolicy{Window: time.Hour}, "Cancellations at least 1 hour before the start are refunded in full; later ones are not refunded."},
		{payment.RefundPolicy{Window: 72 * time.Hour, LatePercent: 25}, "Cancellations at least 3 days before the start are refunded in full; later ones get 25% back."},
		{payment.RefundPolicy{Window: 90 * time.Minute, LatePercent: -5}, "Cancellations at least 90 minutes before the start are refunded in full; later ones are not refunded."},
		{payment.RefundPolicy{Window: 24 * time.Hour, LatePercent: 150}, "Cancellations are refunded in full."},
	} {
		if got := c.p.Words(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.p, got, c.want)
		}
	}
}
