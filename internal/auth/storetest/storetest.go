// Package storetest is the conformance suite of auth.Store: package
// sqlstore runs it on every engine, including the concurrent cases. Each
// subtest gets a fresh database, so they run in parallel.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/auth"
)

// Opener returns the store on a fresh, migrated database.
type Opener func(t *testing.T) auth.Store

// Run runs the suite against the store open returns.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		f    func(t *testing.T, s auth.Store)
	}{
		{"created user reads back by id and e-mail", testCreateAndRead},
		{"duplicate e-mail in another case is refused", testDuplicateEmail},
		{"concurrent duplicate registrations: exactly one succeeds", testConcurrentDuplicate},
		{"update writes fields and refuses a taken e-mail", testUpdate},
		{"delete anonymises and frees the e-mail", testDelete},
		{"refresh token is spent once and families revoke", testRefreshTokens},
		{"concurrent spends of one refresh token: exactly one succeeds", testConcurrentSpend},
		{"login failures are counted per key, pruned and cleared", testLoginFailures},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.f(t, open(t))
		})
	}
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func user(id, email string) auth.User {
	return auth.User{ID: id, Email: email, FirstName: "Ada", LastName: "Lovelace", Role: auth.RoleOwner,
		CreatedAt: t0, UpdatedAt: t0}
}

func inTx(t *testing.T, s auth.Store, fn func(ctx context.Context) error) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Atomically(ctx, fn)
}

func mustTx(t *testing.T, s auth.Store, fn func(ctx context.Context) error) {
	t.Helper()
	if err := inTx(t, s, fn); err != nil {
		t.Fatal(err)
	}
}

func create(t *testing.T, s auth.Store, u auth.User) error {
	t.Helper()
	return inTx(t, s, func(ctx context.Context) error { return s.CreateUser(ctx, u, "hash-"+u.ID) })
}

func testCreateAndRead(t *testing.T, s auth.Store) {
	want := user("user_1", "ada@example.com")
	if err := create(t, s, want); err != nil {
		t.Fatal(err)
	}
	mustTx(t, s, func(ctx context.Context) error {
		got, err := s.UserByID(ctx, "user_1")
		if err != nil {
			return err
		}
		if got.ID != want.ID || got.Email != want.Email || got.FirstName != "Ada" || got.Role != auth.RoleOwner ||
			!got.CreatedAt.Equal(t0) || got.CreatedAt.Location() != time.UTC || got.Deleted() {
			t.Errorf("by id = %+v, want %+v", got, want)
		}
		got, hash, err := s.UserByEmail(ctx, "ada@example.com")
		if err != nil || got.ID != "user_1" || hash != "hash-user_1" {
			t.Errorf("by e-mail = %+v %q %v", got, hash, err)
		}
		if _, err := s.UserByID(ctx, "user_nope"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("unknown id: %v, want ErrNotFound", err)
		}
		if _, _, err := s.UserByEmail(ctx, "nobody@example.com"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("unknown e-mail: %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testDuplicateEmail(t *testing.T, s auth.Store) {
	if err := create(t, s, user("user_1", "ada@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := create(t, s, user("user_2", "ADA@Example.com")); !errors.Is(err, auth.ErrDuplicateEmail) {
		t.Fatalf("second user with the e-mail in capitals: %v, want ErrDuplicateEmail", err)
	}
	assertUsers(t, s, 1)
}

func assertUsers(t *testing.T, s auth.Store, want int) {
	t.Helper()
	mustTx(t, s, func(ctx context.Context) error {
		n, err := s.CountUsers(ctx)
		if err == nil && n != want {
			t.Errorf("%d users, want %d", n, want)
		}
		return err
	})
}

func testConcurrentDuplicate(t *testing.T, s auth.Store) {
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = create(t, s, user(fmt.Sprintf("user_%d", i), "race@example.com"))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, auth.ErrDuplicateEmail):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d registrations succeeded, want exactly 1", ok)
	}
	assertUsers(t, s, 1)
}

func testUpdate(t *testing.T, s auth.Store) {
	for _, u := range []auth.User{user("user_1", "a@example.com"), user("user_2", "b@example.com")} {
		if err := create(t, s, u); err != nil {
			t.Fatal(err)
		}
	}
	u := user("user_1", "a2@example.com")
	u.FirstName, u.UpdatedAt = "Grace", t0.Add(time.Hour)
	mustTx(t, s, func(ctx context.Context) error { return s.UpdateUser(ctx, u, "") })
	mustTx(t, s, func(ctx context.Context) error {
		got, hash, err := s.UserByEmail(ctx, "a2@example.com")
		if err != nil || got.FirstName != "Grace" || !got.UpdatedAt.Equal(u.UpdatedAt) || hash != "hash-user_1" {
			t.Errorf("after update: %+v %q %v (the hash must stay when none is given)", got, hash, err)
		}
		return nil
	})
	mustTx(t, s, func(ctx context.Context) error { return s.UpdateUser(ctx, u, "new-hash") })
	mustTx(t, s, func(ctx context.Context) error {
		if _, hash, _ := s.UserByEmail(ctx, "a2@example.com"); hash != "new-hash" {
			t.Errorf("hash = %q, want new-hash", hash)
		}
		return nil
	})
	u.Email = "B@example.com"
	err := inTx(t, s, func(ctx context.Context) error { return s.UpdateUser(ctx, u, "") })
	if !errors.Is(err, auth.ErrDuplicateEmail) {
		t.Errorf("update to a taken e-mail: %v, want ErrDuplicateEmail", err)
	}
	ghost := user("user_nope", "x@example.com")
	err = inTx(t, s, func(ctx context.Context) error { return s.UpdateUser(ctx, ghost, "") })
	if !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("update of an unknown user: %v, want ErrNotFound", err)
	}
}

func testDelete(t *testing.T, s auth.Store) {
	if err := create(t, s, user("user_1", "ada@example.com")); err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Hour)
	mustTx(t, s, func(ctx context.Context) error { return s.DeleteUser(ctx, "user_1", at) })
	mustTx(t, s, func(ctx context.Context) error {
		got, err := s.UserByID(ctx, "user_1")
		if err != nil || !got.Deleted() || !got.DeletedAt.Equal(at) || got.Email == "ada@example.com" || got.FirstName != "" {
			t.Errorf("deleted user = %+v, %v; want deleted and anonymised", got, err)
		}
		if _, _, err := s.UserByEmail(ctx, "ada@example.com"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("deleted user by e-mail: %v, want ErrNotFound", err)
		}
		if err := s.DeleteUser(ctx, "user_1", at); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("second delete: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err := create(t, s, user("user_2", "ada@example.com")); err != nil {
		t.Errorf("the e-mail of a deleted account is free again: %v", err)
	}
}

func token(hash, family string) auth.RefreshToken {
	return auth.RefreshToken{Hash: hash, FamilyID: family, UserID: "user_1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
}

func testRefreshTokens(t *testing.T, s auth.Store) {
	if err := create(t, s, user("user_1", "ada@example.com")); err != nil {
		t.Fatal(err)
	}
	mustTx(t, s, func(ctx context.Context) error {
		for _, tok := range []auth.RefreshToken{token("h1", "f1"), token("h2", "f1"), token("h3", "f2")} {
			if err := s.InsertRefreshToken(ctx, tok); err != nil {
				return err
			}
		}
		return nil
	})
	at := t0.Add(time.Minute)
	mustTx(t, s, func(ctx context.Context) error {
		got, err := s.RefreshToken(ctx, "h1")
		if err != nil || got.FamilyID != "f1" || !got.ExpiresAt.Equal(t0.Add(time.Hour)) || !got.Live(at) {
			t.Errorf("token h1 = %+v, %v", got, err)
		}
		if _, err := s.RefreshToken(ctx, "nope"); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("unknown token: %v", err)
		}
		first, err1 := s.SpendRefreshToken(ctx, "h1", at)
		second, err2 := s.SpendRefreshToken(ctx, "h1", at)
		if !first || second || err1 != nil || err2 != nil {
			t.Errorf("spend twice = %v %v (%v %v), want true then false", first, second, err1, err2)
		}
		if n, err := s.RevokeFamily(ctx, "f1", at); n != 2 || err != nil {
			t.Errorf("revoke family f1 = %d, %v; want 2", n, err)
		}
		if ok, _ := s.SpendRefreshToken(ctx, "h2", at); ok {
			t.Error("a revoked token was spent")
		}
		if h3, _ := s.RefreshToken(ctx, "h3"); !h3.Live(at) {
			t.Error("revoking f1 touched family f2")
		}
		if n, err := s.RevokeUserTokens(ctx, "user_1", at); n != 1 || err != nil {
			t.Errorf("revoke user tokens = %d, %v; want 1 (h3)", n, err)
		}
		return nil
	})
}

func testConcurrentSpend(t *testing.T, s auth.Store) {
	if err := create(t, s, user("user_1", "ada@example.com")); err != nil {
		t.Fatal(err)
	}
	mustTx(t, s, func(ctx context.Context) error { return s.InsertRefreshToken(ctx, token("h1", "f1")) })
	const n = 8
	spent := make([]bool, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := inTx(t, s, func(ctx context.Context) error {
				var err error
				spent[i], err = s.SpendRefreshToken(ctx, "h1", t0)
				return err
			})
			if err != nil {
				t.Errorf("spend: %v", err)
			}
		}()
	}
	wg.Wait()
	ok := 0
	for _, s := range spent {
		if s {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d spends succeeded, want exactly 1", ok)
	}
}

func testLoginFailures(t *testing.T, s auth.Store) {
	keys := []string{"email:a@example.com", "addr:10.0.0.1"}
	for i := range 3 {
		at := t0.Add(time.Duration(i) * time.Minute)
		mustTx(t, s, func(ctx context.Context) error {
			return s.AddLoginFailure(ctx, keys, at, at.Add(-time.Hour))
		})
	}
	mustTx(t, s, func(ctx context.Context) error {
		got, err := s.LoginFailures(ctx, keys[0], t0.Add(time.Minute))
		if err != nil || len(got) != 2 || !got[0].Equal(t0.Add(time.Minute)) || !got[1].Equal(t0.Add(2*time.Minute)) {
			t.Errorf("failures since t0+1m = %v, %v; want t0+1m, t0+2m", got, err)
		}
		if err := s.ClearLoginFailures(ctx, keys[0]); err != nil {
			return err
		}
		if got, _ := s.LoginFailures(ctx, keys[0], t0); len(got) != 0 {
			t.Errorf("after clear: %v", got)
		}
		if got, _ := s.LoginFailures(ctx, keys[1], t0); len(got) != 3 {
			t.Errorf("clearing the e-mail touched the address: %v", got)
		}
		// A failure far later prunes everything older than its window.
		later := t0.Add(24 * time.Hour)
		if err := s.AddLoginFailure(ctx, keys[1:], later, later.Add(-time.Hour)); err != nil {
			return err
		}
		if got, _ := s.LoginFailures(ctx, keys[1], time.Time{}); len(got) != 1 {
			t.Errorf("after pruning: %v, want only the new failure", got)
		}
		return nil
	})
}
