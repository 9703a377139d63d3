package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/auth/password"
	"github.com/slotwise/slotwise/internal/auth/sqlstore"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

func migrate(t *testing.T, db *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	if err := stores.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, "auth", sqlstore.Migrations(db.Engine)); err != nil {
		t.Fatal(err)
	}
}

type fixture struct {
	svc    *auth.Service
	db     *sqldb.DB
	clock  *clock
	tokens *authn.Tokens
}

func newFixture(t *testing.T, engine sqldb.Engine) *fixture {
	t.Helper()
	db := sqldbtest.Open(t, engine)
	migrate(t, db)
	c := &clock{now: time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)}
	keys, err := authn.NewKeySet()
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := password.New(4)
	if err != nil {
		t.Fatal(err)
	}
	tokens := authn.NewTokens(keys, 15*time.Minute, c.Now)
	outbox := eventbus.NewOutbox(db, stores.Outbox(db), "auth", catalog.Default(), eventbus.OutboxOptions{Clock: c.Now})
	svc, err := auth.NewService(auth.Deps{Store: sqlstore.New(db), Events: outbox, Tokens: issuer{tokens}, Hasher: hasher, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, db: db, clock: c, tokens: tokens}
}

// issuer signs access tokens with authn, as the app wires it.
type issuer struct{ tokens *authn.Tokens }

func (i issuer) Issue(userID string, role auth.Role) (string, time.Time, error) {
	return i.tokens.Issue(authn.Principal{UserID: userID, Role: authn.Role(role)})
}

const pw = "correct horse"

func (f *fixture) register(t *testing.T, email string) auth.Session {
	t.Helper()
	s, err := f.svc.Register(context.Background(), auth.Registration{
		Email: email, Password: pw, FirstName: "Ada", LastName: "Lovelace", Role: auth.RoleOwner})
	if err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	return s
}

// outboxEvent is one recorded event: its type and data.
type outboxEvent struct {
	Type string
	Data map[string]any
}

func (f *fixture) events(t *testing.T) []outboxEvent {
	t.Helper()
	rows, err := f.db.QueryContext(context.Background(), `SELECT event_type, event_data FROM outbox_events ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outboxEvent
	for rows.Next() {
		var e outboxEvent
		var data string
		if err := rows.Scan(&e.Type, &data); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func wantCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("%s: %v (code %q), want code %q", what, err, got, code)
	}
}

func TestServiceLoginThrottle(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := newFixture(t, engine)
		f.register(t, "ada@example.com")
		ctx := context.Background()
		for i := range 5 {
			_, err := f.svc.Login(ctx, "ada@example.com", "wrong password", "10.0.0.1")
			wantCode(t, "bad login", err, apperr.Unauthenticated)
			f.clock.Advance(time.Second * time.Duration(i+1))
		}
		_, err := f.svc.Login(ctx, "ADA@example.com", pw, "10.0.0.2")
		wantCode(t, "the right password after 5 failures", err, apperr.TooManyRequests)
		if e := apperr.As(err); e.RetryAfter <= 0 || e.RetryAfter > 15*time.Minute || !errors.Is(err, auth.ErrThrottled) {
			t.Fatalf("retry after %v (%v), want within the 15 min window", e.RetryAfter, err)
		}
		f.clock.Advance(apperr.As(err).RetryAfter)
		if _, err := f.svc.Login(ctx, "ada@example.com", pw, "10.0.0.2"); err != nil {
			t.Fatalf("login once the window passed: %v", err)
		}
		// Success cleared the e-mail's counter: four new failures do not block.
		for range 4 {
			_, err := f.svc.Login(ctx, "ada@example.com", "wrong password", "10.0.0.3")
			wantCode(t, "bad login", err, apperr.Unauthenticated)
		}
		if _, err := f.svc.Login(ctx, "ada@example.com", pw, "10.0.0.3"); err != nil {
			t.Fatalf("login after a success and 4 failures: %v", err)
		}
	})
}

func TestServiceThrottlesAnAddress(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := newFixture(t, engine)
		f.register(t, "ada@example.com")
		ctx := context.Background()
		for i := range auth.DefaultThrottle.PerAddress {
			email := string(rune('a'+i)) + "x@example.com" // unknown users: still a failure
			_, err := f.svc.Login(ctx, email, "wrong password", "10.0.0.9")
			wantCode(t, "bad login", err, apperr.Unauthenticated)
		}
		_, err := f.svc.Login(ctx, "ada@example.com", pw, "10.0.0.9")
		wantCode(t, "a good login from a throttled address", err, apperr.TooManyRequests)
		if _, err := f.svc.Login(ctx, "ada@example.com", pw, "10.0.0.10"); err != nil {
			t.Fatalf("another address: %v", err)
		}
	})
}

func TestServiceRefreshRotationAndReuse(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := newFixture(t, engine)
		ctx := context.Background()
		first := f.register(t, "ada@example.com")
		second, err := f.svc.Refresh(ctx, first.RefreshToken)
		if err != nil || second.RefreshToken == first.RefreshToken || second.AccessToken == "" {
			t.Fatalf("refresh: %+v, %v", second, err)
		}
		if p, err := f.tokens.Verify(second.AccessToken); err != nil || p.UserID != first.User.ID || p.Role != authn.RoleOwner {
			t.Fatalf("new access token: %+v, %v", p, err)
		}
		_, err = f.svc.Refresh(ctx, first.RefreshToken)
		wantCode(t, "reusing the spent token", err, apperr.Unauthenticated)
		if !errors.Is(err, auth.ErrRefreshTokenReused) {
			t.Fatalf("reuse: %v, want ErrRefreshTokenReused", err)
		}
		_, err = f.svc.Refresh(ctx, second.RefreshToken)
		wantCode(t, "the newer token after reuse revoked the family", err, apperr.Unauthenticated)
		// Another login's family is untouched.
		other, err := f.svc.Login(ctx, "ada@example.com", pw, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(auth.DefaultRefreshTTL + time.Second)
		_, err = f.svc.Refresh(ctx, other.RefreshToken)
		wantCode(t, "an expired refresh token", err, apperr.Unauthenticated)
		_, err = f.svc.Refresh(ctx, "made-up")
		wantCode(t, "an unknown refresh token", err, apperr.Unauthenticated)
	})
}

func TestServiceLogoutRevokesTheFamily(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := newFixture(t, engine)
		ctx := context.Background()
		s := f.register(t, "ada@example.com")
		next, err := f.svc.Refresh(ctx, s.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Logout(ctx, next.RefreshToken); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Refresh(ctx, next.RefreshToken)
		wantCode(t, "refresh after logout", err, apperr.Unauthenticated)
		if err := f.svc.Logout(ctx, "unknown"); err != nil {
			t.Errorf("logout of an unknown token: %v", err)
		}
	})
}

func TestServiceUpdateAndDelete(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := newFixture(t, engine)
		ctx := context.Background()
		s := f.register(t, "ada@example.com")
		f.register(t, "grace@example.com")
		str := func(s string) *string { return &s }
		_, err := f.svc.UpdateMe(ctx, s.User.ID, auth.Patch{Email: str("Grace@Example.com")})
		wantCode(t, "taking another user's e-mail", err, apperr.Conflict)
		if apperr.As(err).Reason != "duplicate_email" || apperr.As(err).Field != "email" {
			t.Errorf("conflict = %+v", apperr.As(err))
		}
		u, err := f.svc.UpdateMe(ctx, s.User.ID, auth.Patch{FirstName: str("Ada"), LastName: str("King"), Password: str("a new password")})
		if err != nil || u.LastName != "King" {
			t.Fatalf("update: %+v, %v", u, err)
		}
		if _, err := f.svc.UpdateMe(ctx, s.User.ID, auth.Patch{FirstName: str("Ada")}); err != nil {
			t.Fatal(err) // no change: no event
		}
		_, err = f.svc.Refresh(ctx, s.RefreshToken)
		wantCode(t, "refresh after a password change", err, apperr.Unauthenticated)
		_, err = f.svc.Login(ctx, "ada@example.com", pw, "10.0.0.1")
		wantCode(t, "login with the old password", err, apperr.Unauthenticated)
		live, err := f.svc.Login(ctx, "ada@example.com", "a new password", "10.0.0.1")
		if err != nil {
			t.Fatalf("login with the new password: %v", err)
		}
		if err := f.svc.DeleteMe(ctx, s.User.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Login(ctx, "ada@example.com", "a new password", "10.0.0.1")
		wantCode(t, "login after delete", err, apperr.Unauthenticated)
		_, err = f.svc.Refresh(ctx, live.RefreshToken)
		wantCode(t, "refresh after delete", err, apperr.Unauthenticated)
		_, err = f.svc.Me(ctx, s.User.ID)
		wantCode(t, "me after delete", err, apperr.Unauthenticated)
		wantCode(t, "delete twice", f.svc.DeleteMe(ctx, s.User.ID), apperr.Unauthenticated)

		evs := f.events(t)
		types := []string{}
		for _, e := range evs {
			types = append(types, e.Type)
		}
		want := []string{"user.created", "user.created", "user.updated", "user.deleted"}
		if len(types) != len(want) {
			t.Fatalf("events %v, want %v", types, want)
		}
		for i := range want {
			if types[i] != want[i] {
				t.Fatalf("events %v, want %v", types, want)
			}
		}
		changes, _ := evs[2].Data["changes"].(map[string]any)
		if len(changes) != 1 || changes["lastName"] != "King" || evs[2].Data["userId"] != s.User.ID {
			t.Errorf("user.updated data = %v, want only lastName (never the password)", evs[2].Data)
		}
		if evs[3].Data["userId"] != s.User.ID {
			t.Errorf("user.deleted data = %v", evs[3].Data)
		}
	})
}

func TestServiceCreateAdmin(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := newFixture(t, engine)
		ctx := context.Background()
		reg := auth.Registration{Email: "root@example.com", Password: pw, FirstName: "Root", LastName: "Admin", Role: auth.RoleAdmin}
		_, err := f.svc.Register(ctx, reg)
		wantCode(t, "register as admin", err, apperr.Forbidden)
		u, err := f.svc.CreateAdmin(ctx, reg)
		if err != nil || u.Role != auth.RoleAdmin {
			t.Fatalf("create admin: %+v, %v", u, err)
		}
		s, err := f.svc.Login(ctx, "root@example.com", pw, "10.0.0.1")
		if err != nil || s.User.Role != auth.RoleAdmin {
			t.Fatalf("admin login: %+v, %v", s.User, err)
		}
		if evs := f.events(t); len(evs) != 1 || evs[0].Type != "user.created" || evs[0].Data["role"] != "admin" {
			t.Errorf("events = %v", evs)
		}
	})
}
