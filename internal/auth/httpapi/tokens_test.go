package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/authn"
	web "github.com/slotwise/slotwise/internal/httpapi"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestTokensAreRefused: the token table of the issue against the started
// App — every bad access token is a 401, a reused refresh token is a 401
// that revokes its family, and a good token of the wrong role is a 403.
func TestTokensAreRefused(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := apptest.StartEngine(t, engine)
		client := register(t, h, "client@example.com", "client")
		keys, err := authn.LoadOrCreateKeySet(h.Config.JWTKeysPath())
		if err != nil {
			t.Fatal(err)
		}
		p := authn.Principal{UserID: client.User.ID, Role: authn.RoleClient}
		expired, _, err := authn.NewTokens(keys, time.Minute, func() time.Time { return time.Now().Add(-time.Hour) }).Issue(p)
		if err != nil {
			t.Fatal(err)
		}
		otherKeys, _ := authn.NewKeySet()
		foreign, _, _ := authn.NewTokens(otherKeys, 0, nil).Issue(p)
		parts := strings.Split(client.AccessToken, ".")
		tampered := parts[0] + "." + parts[1] + "." + flip(parts[2])
		unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
			"sub": client.User.ID, "role": "admin", "iss": authn.Issuer,
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
		}).SignedString(jwt.UnsafeAllowNoneSignatureType)

		for _, tc := range []struct{ name, token string }{
			{"none", ""}, {"expired", expired}, {"tampered signature", tampered},
			{"alg none", unsigned}, {"wrong key", foreign}, {"garbage", "not-a-jwt"},
		} {
			t.Run(tc.name+" is 401", func(t *testing.T) {
				r := call(t, h, "GET", "/api/v1/auth/me", tc.token, nil)
				expect(t, "GET /api/v1/auth/me", r, http.StatusUnauthorized)
				if e := r.errorBody(t); e.Code != "unauthenticated" {
					t.Errorf("error = %+v", e)
				}
			})
		}
		if r := call(t, h, "GET", "/api/v1/auth/me", client.AccessToken, nil); r.Status != http.StatusOK {
			t.Fatalf("the good token: %d %s", r.Status, r.Body)
		}

		t.Run("refresh token reuse is 401 and revokes the family", func(t *testing.T) {
			r := call(t, h, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": client.RefreshToken})
			expect(t, "first refresh", r, http.StatusOK)
			var next session
			r.decode(t, &next)
			r = call(t, h, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": client.RefreshToken})
			expect(t, "reuse of the spent token", r, http.StatusUnauthorized)
			r = call(t, h, "POST", "/api/v1/auth/refresh", "", map[string]string{"refreshToken": next.RefreshToken})
			expect(t, "the newer token of the revoked family", r, http.StatusUnauthorized)
		})

		t.Run("right token wrong role is 403", func(t *testing.T) {
			status := ownerOnlyStatus(t, h, keys, client.AccessToken)
			if status != http.StatusForbidden {
				t.Fatalf("client on an owner-only route: %d, want 403", status)
			}
		})
	})
}

// flip changes the signature's first character.
func flip(sig string) string {
	c := byte('A')
	if sig[0] == 'A' {
		c = 'B'
	}
	return string(c) + sig[1:]
}

// ownerOnlyStatus calls an owner-only route with token: the business
// service's GET /api/v1/businesses when the App serves it, otherwise a
// route guarded by authn.Require(RoleOwner) behind the same middleware and
// keys as the App.
func ownerOnlyStatus(t *testing.T, h *apptest.Harness, keys *authn.KeySet, token string) int {
	t.Helper()
	if slices.Contains(h.App.ServedRoutes(), "GET /api/v1/businesses") {
		return call(t, h, "GET", "/api/v1/businesses", token, nil).Status
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /owner-only", func(w http.ResponseWriter, r *http.Request) {
		if _, err := authn.Require(r.Context(), authn.RoleOwner); err != nil {
			web.WriteError(w, r, nil, err)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	srv := httptest.NewServer(authn.NewTokens(keys, 0, nil).Authenticate(nil)(mux))
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest("GET", srv.URL+"/owner-only", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}
