// Package csrf issues and checks the signed tokens that protect the web
// pages' forms against cross-site request forgery without cookies (so that
// it works inside a third-party iframe too): a token is an HMAC-SHA256, under
// a server key, over a fresh nonce, an expiry, the form's action path and an
// optional binding (a browser session's id once there are sessions). It is
// sent in a hidden form field and checked on submit.
//
// A token only proves that the form was rendered by this server for this
// action (and binding) recently; the pages also refuse cross-origin posts
// (net/http's CrossOriginProtection). Where the action path itself holds a
// secret (a booking's manage token), a token cannot be obtained without it.
//
// What does not belong here: sessions, cookies, HTML.
package csrf

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// FieldName is the hidden form field that carries the token.
const FieldName = "csrf_token"

// MinKeyLen is the shortest accepted key, in bytes.
const MinKeyLen = 32

// Errors of Check; match them with errors.Is.
var (
	// ErrInvalid: malformed, forged, or for another action or binding.
	ErrInvalid = errors.New("csrf: invalid token")
	// ErrExpired: authentic but past its expiry.
	ErrExpired = errors.New("csrf: token expired")
)

const (
	nonceLen = 16
	macLen   = sha256.Size
	tokenLen = nonceLen + 8 + macLen
)

// Signer issues and checks tokens under one key.
type Signer struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// New returns a Signer with key (at least MinKeyLen bytes; every instance
// serving the same site needs the same key), tokens valid for ttl, and the
// clock now (nil: time.Now).
func New(key []byte, ttl time.Duration, now func() time.Time) (*Signer, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("csrf: key must be at least %d bytes, got %d", MinKeyLen, len(key))
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("csrf: ttl must be positive, got %s", ttl)
	}
	if now == nil {
		now = time.Now
	}
	return &Signer{key: append([]byte(nil), key...), ttl: ttl, now: now}, nil
}

// Token returns a fresh token for a form posting to action (a URL path)
// with binding ("" when there is no session).
func (s *Signer) Token(action, binding string) string {
	var raw [tokenLen]byte
	_, _ = rand.Read(raw[:nonceLen]) // crypto/rand.Read never fails
	binary.BigEndian.PutUint64(raw[nonceLen:], uint64(s.now().Add(s.ttl).Unix()))
	copy(raw[nonceLen+8:], s.mac(raw[:nonceLen+8], action, binding))
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// Check verifies a submitted token for action and binding.
func (s *Signer) Check(token, action, binding string) error {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != tokenLen {
		return ErrInvalid
	}
	if !hmac.Equal(raw[nonceLen+8:], s.mac(raw[:nonceLen+8], action, binding)) {
		return ErrInvalid
	}
	expiry := int64(binary.BigEndian.Uint64(raw[nonceLen:]))
	if s.now().Unix() > expiry {
		return ErrExpired
	}
	return nil
}

// mac is HMAC-SHA256 over the nonce and expiry, the action and the
// binding, each length-prefixed so that no two inputs share an encoding.
func (s *Signer) mac(head []byte, action, binding string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(head)
	for _, part := range []string{action, binding} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		m.Write(n[:])
		m.Write([]byte(part))
	}
	return m.Sum(nil)
}
