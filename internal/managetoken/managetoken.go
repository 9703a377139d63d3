// Package managetoken derives the token of a booking's manage link — the
// bearer secret that lets a guest read, pay, reschedule or cancel one
// booking without an account — from the booking id and a secret link key
// (authn.KeySet.LinkKey). Deriving it, rather than storing a random one,
// lets every service holding the key rebuild the link (the scheduling
// service when it answers a replayed request, the notification service in
// its e-mails, the web pages) while the databases keep only its hash.
//
// Nothing else belongs here: who may do what with a token is the
// scheduling service's rule.
package managetoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// For returns the manage token of bookingID under key: base64url (no
// padding) of HMAC-SHA256(key, "manage:" + bookingID), 43 characters.
func For(key []byte, bookingID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("manage:" + bookingID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Hash returns the hex SHA-256 of a token: what stores keep and look
// tokens up by.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
