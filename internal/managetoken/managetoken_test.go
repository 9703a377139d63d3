package managetoken_test

import (
	"testing"

	"github.com/slotwise/slotwise/internal/managetoken"
)

func TestForIsStablePerKeyAndBooking(t *testing.T) {
	k1, k2 := []byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210")
	a := managetoken.For(k1, "booking_1")
	if a != managetoken.For(k1, "booking_1") {
		t.Fatal("same key and booking gave different tokens")
	}
	if len(a) != 43 {
		t.Fatalf("token %q has %d characters, want 43", a, len(a))
	}
	for _, other := range []string{managetoken.For(k1, "booking_2"), managetoken.For(k2, "booking_1")} {
		if other == a {
			t.Fatal("another booking or key gave the same token")
		}
	}
	if h := managetoken.Hash(a); len(h) != 64 || h == managetoken.Hash(managetoken.For(k1, "booking_2")) {
		t.Fatalf("hash %q", h)
	}
}
