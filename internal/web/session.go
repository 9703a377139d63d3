package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// A browser session lives in one cookie, sealed (AES-256-GCM) under a
// server key: the auth service's opaque refresh token, the short-lived
// access token it last handed out, and what the header shows. Nothing of
// it is kept by the site: the refresh token is stored (hashed) by the auth
// service, which rotates it, and every instance with the key reads the
// cookie. The cookie is HttpOnly and SameSite=Lax, and Secure (with the
// __Host- prefix, which pins it to this host and path /) when the site is
// reached over TLS.

// Cookie names; secureCookiePrefix is prepended under TLS.
const (
	sessionCookieName  = "sw_session"
	formCookieName     = "sw_form"
	secureCookiePrefix = "__Host-"
)

// sessionState is what the session cookie holds.
type sessionState struct {
	// ID names the browser session for as long as it lasts (across
	// refreshes): form tokens are bound to it, sign-out ends it.
	ID string `json:"i"`
	// Refresh is the auth service's current refresh token.
	Refresh string `json:"r"`
	// Access is the access token; AccessExpires its expiry (Unix seconds).
	Access        string `json:"a"`
	AccessExpires int64  `json:"x"`
	// Name and Email are the user's, for the header.
	Name  string `json:"n,omitempty"`
	Email string `json:"e,omitempty"`
}

// errBadCookie is any cookie that cannot be opened: forged, sealed under
// another key, truncated or of another format.
var errBadCookie = errors.New("web: unreadable session cookie")

// sealPurpose is authenticated with every sealed cookie, so that a value
// sealed for another purpose under the same key is refused.
const sealPurpose = "slotwise web session v1"

// sessionCodec seals and opens session cookies.
type sessionCodec struct{ aead cipher.AEAD }

// newSessionCodec returns a codec under key (at least 32 bytes); the AES
// key is derived from it, so the same secret may key other purposes.
func newSessionCodec(key []byte) (*sessionCodec, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("web: session key must be at least 32 bytes, got %d", len(key))
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(sealPurpose))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("web: session cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("web: session cipher: %w", err)
	}
	return &sessionCodec{aead: aead}, nil
}

// seal returns the cookie value of st: base64url of nonce ‖ ciphertext.
func (c *sessionCodec) seal(st sessionState) (string, error) {
	plain, err := json.Marshal(st)
	if err != nil {
		return "", fmt.Errorf("web: encode session: %w", err)
	}
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(c.aead.Seal(nonce, nonce, plain, []byte(sealPurpose))), nil
}

// open returns the state sealed in a cookie value, or errBadCookie.
func (c *sessionCodec) open(v string) (sessionState, error) {
	raw, err := base64.RawURLEncoding.DecodeString(v)
	n := c.aead.NonceSize()
	if err != nil || len(raw) < n+c.aead.Overhead() {
		return sessionState{}, errBadCookie
	}
	plain, err := c.aead.Open(nil, raw[:n], raw[n:], []byte(sealPurpose))
	if err != nil {
		return sessionState{}, errBadCookie
	}
	var st sessionState
	if err := json.Unmarshal(plain, &st); err != nil || st.ID == "" || st.Refresh == "" {
		return sessionState{}, errBadCookie
	}
	return st, nil
}

// newID returns 16 random bytes, base64url: a session or form id.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// cookieJar names and writes the site's cookies for one request.
type cookieJar struct {
	secure bool
}

// jarFor returns the cookie settings of r: secure when r came over TLS
// or the site's public URL is https (TLS ends at a proxy in front).
func (s *Site) jarFor(r *http.Request) cookieJar {
	return cookieJar{secure: r.TLS != nil || strings.HasPrefix(strings.ToLower(s.cfg.PublicURL), "https://")}
}

// name is a cookie's name: __Host-name when secure.
func (j cookieJar) name(base string) string {
	if j.secure {
		return secureCookiePrefix + base
	}
	return base
}

// read returns the value of the cookie base, "" when absent.
func (j cookieJar) read(r *http.Request, base string) string {
	c, err := r.Cookie(j.name(base))
	if err != nil {
		return ""
	}
	return c.Value
}

// set sends the cookie base with value for maxAge.
func (j cookieJar) set(w http.ResponseWriter, base, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: j.name(base), Value: value, Path: "/", MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: j.secure, SameSite: http.SameSiteLaxMode,
	})
}

// clear tells the browser to drop the cookie base.
func (j cookieJar) clear(w http.ResponseWriter, base string) {
	http.SetCookie(w, &http.Cookie{
		Name: j.name(base), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: j.secure, SameSite: http.SameSiteLaxMode,
	})
}
