package password_test

import (
	"strings"
	"testing"

	"github.com/slotwise/slotwise/internal/auth/password"
)

func TestHasherLongPasswordsAreNotTruncated(t *testing.T) {
	t.Parallel()
	h, err := password.New(4)
	if err != nil {
		t.Fatal(err)
	}
	base := strings.Repeat("p", 100)
	hash, err := h.Hash(base + "A")
	if err != nil {
		t.Fatal(err)
	}
	if !h.Matches(hash, base+"A") {
		t.Error("the password does not match its hash")
	}
	if h.Matches(hash, base+"B") {
		t.Error("a password differing after byte 72 matches (bcrypt truncation)")
	}
	if h.Matches("", base+"A") || h.Matches("garbage", base+"A") {
		t.Error("an empty or malformed hash matches")
	}
	if _, err := password.New(3); err == nil {
		t.Error("cost 3 accepted")
	}
}

// TestHasherVerifiesStoredHashes checks a hash made by the Hasher as it was
// in package auth before it moved here: stored hashes must keep verifying.
func TestHasherVerifiesStoredHashes(t *testing.T) {
	t.Parallel()
	const stored = "$2a$04$HRSGoGtEsgdaE8K7d/HW5eJ4J.fdRITT33a5e068G5qxBUfwY.Be6"
	h, err := password.New(0)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Matches(stored, "correct horse battery staple") {
		t.Error("a stored hash no longer verifies")
	}
	if h.Matches(stored, "correct horse battery stapler") {
		t.Error("a stored hash verifies another password")
	}
}
