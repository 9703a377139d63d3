// Package storetest is the conformance suite of payment.Store: every
// engine's Store runs it (package sqlite and package postgres tests),
// including the concurrency cases (two payments racing for one booking,
// two transactions updating one locked payment).
package storetest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/payment"
)

// Run runs the suite; newStore returns a Store on a fresh, migrated
// database for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) payment.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s payment.Store)
	}{
		{"booking_round_trip_and_replace", testBookings},
		{"payment_round_trip_by_id_booking_and_ref", testPayments},
		{"second_payment_of_a_booking_refused", testDuplicatePayment},
		{"concurrent_payments_of_a_booking_one_wins", testConcurrentPayments},
		{"save_payment_and_missing_rows", testSavePayment},
		{"locked_payment_updates_serialize", testLockedUpdates},
		{"refunds_listed_oldest_first", testRefunds},
		{"webhook_event_marked_once", testWebhookEvents},
		{"business_owner_upsert", testOwners},
		{"atomically_rolls_back_everything", testAtomically},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.f(t, newStore(t)) })
	}
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 123456000, time.UTC)

func newPayment(id, booking string) payment.Payment {
	return payment.Payment{
		ID: id, BookingID: booking, BusinessID: "biz_1", ClientID: "user_c", Amount: 15000, Currency: "USD",
		Provider: "sandbox", ProviderRef: "pi_" + id, PayURL: "/pay/" + id, Status: payment.StatusRequiresPayment,
		CorrelationID: "corr_1", CreatedAt: t0, UpdatedAt: t0,
	}
}

func mustCreate(t *testing.T, s payment.Store, p payment.Payment) {
	t.Helper()
	if err := s.CreatePayment(context.Background(), p); err != nil {
		t.Fatalf("create payment %s: %v", p.ID, err)
	}
}

func testBookings(t *testing.T, s payment.Store) {
	ctx := context.Background()
	b := payment.Booking{ID: "bk_1", BusinessID: "biz_1", ClientID: "user_c", StartTime: t0.Add(48 * time.Hour),
		ManageTokenHash: "ab12", State: payment.BookingOpen, UpdatedAt: t0}
	if err := s.PutBooking(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Booking(ctx, "bk_1"); err != nil || !reflect.DeepEqual(got, b) {
		t.Fatalf("Booking = %+v, %v; want %+v", got, err, b)
	}
	b.State, b.ClosedAt, b.UpdatedAt = payment.BookingCancelled, t0.Add(time.Hour), t0.Add(time.Hour)
	if err := s.PutBooking(ctx, b); err != nil {
		t.Fatal(err)
	}
	err := s.Atomically(ctx, func(ctx context.Context) error {
		got, err := s.LockBooking(ctx, "bk_1")
		if err == nil && !reflect.DeepEqual(got, b) {
			t.Errorf("LockBooking after replace = %+v, want %+v", got, b)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Booking(ctx, "bk_none"); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("missing booking: %v, want ErrNotFound", err)
	}
}

func testPayments(t *testing.T, s payment.Store) {
	ctx := context.Background()
	p := newPayment("pay_1", "bk_1")
	p.ClientSecret, p.CheckoutRef = "pi_secret", "cs_test_1"
	mustCreate(t, s, p)
	mustCreate(t, s, newPayment("pay_2", "bk_2"))
	type getter = func(ctx context.Context) (payment.Payment, error)
	for name, get := range map[string]getter{
		"Payment":          func(ctx context.Context) (payment.Payment, error) { return s.Payment(ctx, "pay_1") },
		"PaymentByBooking": func(ctx context.Context) (payment.Payment, error) { return s.PaymentByBooking(ctx, "bk_1") },
		"LockPayment":      func(ctx context.Context) (payment.Payment, error) { return s.LockPayment(ctx, "pay_1") },
		"LockPaymentByRef": func(ctx context.Context) (payment.Payment, error) {
			return s.LockPaymentByRef(ctx, "sandbox", "pi_pay_1")
		},
	} {
		var got payment.Payment
		err := s.Atomically(ctx, func(ctx context.Context) error {
			var err error
			got, err = get(ctx)
			return err
		})
		if err != nil || !reflect.DeepEqual(got, p) {
			t.Errorf("%s = %+v, %v; want %+v", name, got, err, p)
		}
	}
	if _, err := s.LockPaymentByRef(ctx, "stripe", "pi_pay_1"); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("ref of another provider: %v, want ErrNotFound", err)
	}
}

func testDuplicatePayment(t *testing.T, s payment.Store) {
	mustCreate(t, s, newPayment("pay_1", "bk_1"))
	err := s.CreatePayment(context.Background(), newPayment("pay_2", "bk_1"))
	if !errors.Is(err, payment.ErrDuplicate) {
		t.Fatalf("second payment of bk_1: %v, want ErrDuplicate", err)
	}
	err = s.CreatePayment(context.Background(), newPayment("pay_1", "bk_9"))
	if !errors.Is(err, payment.ErrDuplicate) {
		t.Fatalf("second payment with id pay_1: %v, want ErrDuplicate", err)
	}
}

func testConcurrentPayments(t *testing.T, s payment.Store) {
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p := newPayment("pay_"+string(rune('a'+i)), "bk_race")
			errs[i] = s.Atomically(context.Background(), func(ctx context.Context) error { return s.CreatePayment(ctx, p) })
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, payment.ErrDuplicate):
			t.Errorf("loser: %v, want ErrDuplicate", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d payments created for one booking, want 1", won)
	}
}

func testSavePayment(t *testing.T, s payment.Store) {
	ctx := context.Background()
	p := newPayment("pay_1", "bk_1")
	mustCreate(t, s, p)
	p.Fail("card_declined", t0.Add(time.Second))
	p.CheckoutRef = "cs_1"
	if err := s.SavePayment(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Payment(ctx, "pay_1"); err != nil || got.FailureReason != "card_declined" || got.CheckoutRef != "cs_1" || !got.Payable() {
		t.Fatalf("after a decline = %+v, %v", got, err)
	}
	p.ProviderRef = "pi_charged"
	p.Succeed("card", t0.Add(time.Minute))
	if err := p.Refund(5000, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.SavePayment(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Payment(ctx, "pay_1"); err != nil || !reflect.DeepEqual(got, p) {
		t.Fatalf("after save = %+v, %v; want %+v", got, err, p)
	}
	if got, err := s.LockPaymentByRef(ctx, "sandbox", "pi_charged"); err != nil || got.ID != "pay_1" {
		t.Fatalf("by the charged intent = %+v, %v", got, err)
	}
	if err := s.SavePayment(ctx, newPayment("pay_none", "bk_x")); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("save missing: %v, want ErrNotFound", err)
	}
	if _, err := s.Payment(ctx, "pay_none"); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("missing payment: %v", err)
	}
	if _, err := s.PaymentByBooking(ctx, "bk_none"); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("missing booking's payment: %v", err)
	}
}

// testLockedUpdates: transactions that each lock, read, change and save
// one payment never lose an update.
func testLockedUpdates(t *testing.T, s payment.Store) {
	p := newPayment("pay_1", "bk_1")
	p.Amount = 100
	p.Succeed("card", t0)
	mustCreate(t, s, p)
	const n = 5
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Atomically(context.Background(), func(ctx context.Context) error {
				got, err := s.LockPayment(ctx, "pay_1")
				if err != nil {
					return err
				}
				if err := got.Refund(1, t0); err != nil {
					return err
				}
				return s.SavePayment(ctx, got)
			})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("locked update: %v", err)
		}
	}
	if got, err := s.Payment(context.Background(), "pay_1"); err != nil || got.Refunded != n {
		t.Fatalf("refunded = %d, %v; want %d", got.Refunded, err, n)
	}
}

func testRefunds(t *testing.T, s payment.Store) {
	ctx := context.Background()
	mustCreate(t, s, newPayment("pay_1", "bk_1"))
	r2 := payment.Refund{ID: "rfd_2", PaymentID: "pay_1", ProviderRef: "re_2", Amount: 500, Currency: "USD", Reason: "x", CreatedAt: t0.Add(time.Second)}
	r1 := payment.Refund{ID: "rfd_1", PaymentID: "pay_1", ProviderRef: "re_1", Amount: 1000, Currency: "USD", Reason: "booking_cancelled", CreatedAt: t0}
	for _, r := range []payment.Refund{r2, r1} {
		if err := s.CreateRefund(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Refunds(ctx, "pay_1")
	if err != nil || !reflect.DeepEqual(got, []payment.Refund{r1, r2}) {
		t.Fatalf("Refunds = %+v, %v", got, err)
	}
	if got, err := s.Refunds(ctx, "pay_none"); err != nil || len(got) != 0 {
		t.Fatalf("Refunds of none = %+v, %v", got, err)
	}
}

func testWebhookEvents(t *testing.T, s payment.Store) {
	ctx := context.Background()
	if err := s.MarkWebhookEvent(ctx, "stripe", "evt_1", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkWebhookEvent(ctx, "stripe", "evt_1", t0); !errors.Is(err, payment.ErrDuplicate) {
		t.Fatalf("second mark: %v, want ErrDuplicate", err)
	}
	if err := s.MarkWebhookEvent(ctx, "other", "evt_1", t0); err != nil {
		t.Fatalf("same id of another provider: %v", err)
	}
}

func testOwners(t *testing.T, s payment.Store) {
	ctx := context.Background()
	if _, err := s.BusinessOwner(ctx, "biz_1"); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("unknown owner: %v", err)
	}
	for _, owner := range []string{"user_a", "user_b"} {
		if err := s.PutBusinessOwner(ctx, "biz_1", owner); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.BusinessOwner(ctx, "biz_1"); err != nil || got != "user_b" {
		t.Fatalf("owner = %q, %v", got, err)
	}
}

func testAtomically(t *testing.T, s payment.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.Atomically(ctx, func(ctx context.Context) error {
		if err := s.CreatePayment(ctx, newPayment("pay_1", "bk_1")); err != nil {
			return err
		}
		if err := s.MarkWebhookEvent(ctx, "stripe", "evt_1", t0); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Atomically = %v", err)
	}
	if _, err := s.Payment(ctx, "pay_1"); !errors.Is(err, payment.ErrNotFound) {
		t.Errorf("payment survived the rollback: %v", err)
	}
	if err := s.MarkWebhookEvent(ctx, "stripe", "evt_1", t0); err != nil {
		t.Errorf("webhook mark survived the rollback: %v", err)
	}
}
