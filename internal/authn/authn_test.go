package authn_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/authn"
)

func TestVerifyRefuses(t *testing.T) {
	keys, err := authn.NewKeySet()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	tokens := authn.NewTokens(keys, 15*time.Minute, clock)
	good, _, err := tokens.Issue(authn.Principal{UserID: "user_1", Role: authn.RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	otherKeys, _ := authn.NewKeySet()
	foreign, _, _ := authn.NewTokens(otherKeys, 0, clock).Issue(authn.Principal{UserID: "user_1", Role: authn.RoleOwner})
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
		"sub": "user_1", "role": "admin", "iss": authn.Issuer, "exp": now.Add(time.Hour).Unix(),
	}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	expired, _, _ := authn.NewTokens(keys, time.Minute, func() time.Time { return now.Add(-time.Hour) }).Issue(authn.Principal{UserID: "user_1", Role: authn.RoleOwner})

	if p, err := tokens.Verify(good); err != nil || p.UserID != "user_1" || p.Role != authn.RoleOwner {
		t.Fatalf("good token: %+v, %v", p, err)
	}
	for name, tok := range map[string]string{
		"tampered signature": tampered, "alg none": unsigned, "wrong key": foreign,
		"expired": expired, "garbage": "not.a.jwt", "empty": "",
	} {
		t.Run(name+" is refused", func(t *testing.T) {
			if _, err := tokens.Verify(tok); !errors.Is(err, authn.ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
		})
	}
}

func TestRotationKeepsOldTokensValid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	keys, err := authn.LoadOrCreateKeySet(path)
	if err != nil {
		t.Fatal(err)
	}
	old, _, _ := authn.NewTokens(keys, 0, nil).Issue(authn.Principal{UserID: "u", Role: authn.RoleClient})
	oldKid := keys.CurrentID()
	if _, err := keys.Rotate(); err != nil {
		t.Fatal(err)
	}
	if err := keys.Save(path); err != nil {
		t.Fatal(err)
	}
	reloaded, err := authn.LoadOrCreateKeySet(path)
	if err != nil {
		t.Fatal(err)
	}
	if reloaded.CurrentID() == oldKid {
		t.Fatal("rotation did not change the current key")
	}
	if _, err := authn.NewTokens(reloaded, 0, nil).Verify(old); err != nil {
		t.Fatalf("token of the retired key: %v", err)
	}
}

func TestRequire(t *testing.T) {
	ctx := context.Background()
	if _, err := authn.Require(ctx, authn.RoleOwner); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("anonymous: %v", err)
	}
	client := authn.WithPrincipal(ctx, authn.Principal{UserID: "c", Role: authn.RoleClient})
	if _, err := authn.Require(client, authn.RoleOwner); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("client on owner route: %v", err)
	}
	admin := authn.WithPrincipal(ctx, authn.Principal{UserID: "a", Role: authn.RoleAdmin})
	if _, err := authn.Require(admin, authn.RoleOwner); err != nil {
		t.Fatalf("admin: %v", err)
	}
}

func TestLinkKeySurvivesReloadAndRotationAndIsAddedToOldFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	keys, err := authn.LoadOrCreateKeySet(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.LinkKey()) != 32 {
		t.Fatalf("link key has %d bytes", len(keys.LinkKey()))
	}
	if _, err := keys.Rotate(); err != nil {
		t.Fatal(err)
	}
	if err := keys.Save(path); err != nil {
		t.Fatal(err)
	}
	reloaded, err := authn.LoadOrCreateKeySet(path)
	if err != nil || !bytes.Equal(reloaded.LinkKey(), keys.LinkKey()) {
		t.Fatalf("reloaded link key differs (err %v)", err)
	}
	// A file from before link keys: one is added and saved.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	delete(f, "linkKey")
	raw, _ = json.Marshal(f)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	upgraded, err := authn.LoadOrCreateKeySet(path)
	if err != nil || len(upgraded.LinkKey()) != 32 {
		t.Fatalf("old file: %v, link key %d bytes", err, len(upgraded.LinkKey()))
	}
	again, err := authn.LoadOrCreateKeySet(path)
	if err != nil || !bytes.Equal(again.LinkKey(), upgraded.LinkKey()) {
		t.Fatalf("the added link key was not saved (err %v)", err)
	}
}
