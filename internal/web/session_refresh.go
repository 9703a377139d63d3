package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/slotwise/slotwise/internal/auth"
)

// refreshGrace is how long the answer of one rotation is handed to other
// requests presenting the same (now spent) refresh token: a browser that
// loads several pages, images of a page or tabs at once sends its old
// cookie with each until the first answer's Set-Cookie arrives. Without
// it, the auth service would see the spent token again and revoke the
// whole session.
const refreshGrace = time.Minute

// refresher makes at most one rotation of each refresh token in this
// process: concurrent requests with the same token wait for the one in
// flight, and later ones within refreshGrace get its answer. Across
// instances there is no such coordination: a browser whose simultaneous
// requests reach two instances may be signed out (the auth service's reuse
// detection), and signs in again.
type refresher struct {
	rotate func(ctx context.Context, token string) (auth.Session, error)
	now    func() time.Time

	mu    sync.Mutex
	calls map[string]*rotation // by the spent token's hash
}

// rotation is one refresh: in flight until done is closed.
type rotation struct {
	done chan struct{}
	sess auth.Session
	err  error
	at   time.Time // when it finished
}

func newRefresher(rotate func(context.Context, string) (auth.Session, error), now func() time.Time) *refresher {
	return &refresher{rotate: rotate, now: now, calls: map[string]*rotation{}}
}

// refresh returns the session that follows token: the answer of the
// rotation in flight or just finished for it, or of a new one.
func (f *refresher) refresh(ctx context.Context, token string) (auth.Session, error) {
	key := tokenKey(token)
	f.mu.Lock()
	f.prune()
	c, ok := f.calls[key]
	if !ok {
		c = &rotation{done: make(chan struct{})}
		f.calls[key] = c
		f.mu.Unlock()
		// The rotation completes even if this request goes away: others
		// may be waiting for it, and a half-seen rotation spends the token.
		c.sess, c.err = f.rotate(context.WithoutCancel(ctx), token)
		f.mu.Lock()
		c.at = f.now()
		if c.err != nil {
			delete(f.calls, key) // a failure is not shared beyond the waiters
		}
		f.mu.Unlock()
		close(c.done)
		return c.sess, c.err
	}
	f.mu.Unlock()
	select {
	case <-c.done:
		return c.sess, c.err
	case <-ctx.Done():
		return auth.Session{}, ctx.Err()
	}
}

// prune drops finished rotations older than refreshGrace; f.mu is held.
func (f *refresher) prune() {
	cutoff := f.now().Add(-refreshGrace)
	for k, c := range f.calls {
		select {
		case <-c.done:
			if c.at.Before(cutoff) {
				delete(f.calls, k)
			}
		default:
		}
	}
}

// tokenKey is the hex SHA-256 of a token: the rotations are remembered
// by it, not by the token.
func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// endedSessions are the browser sessions signed out in this process,
// until the access tokens their cookies hold have expired: an old copy of
// a signed-out cookie is refused even while its access token is still
// valid. (The refresh token's family is revoked by the auth service, so
// once the access token expires the cookie is worthless everywhere; on
// another instance, or after a restart, a copy works until then.)
type endedSessions struct {
	now func() time.Time

	mu    sync.Mutex
	until map[string]time.Time // session id → when forgetting it is safe
}

func newEndedSessions(now func() time.Time) *endedSessions {
	return &endedSessions{now: now, until: map[string]time.Time{}}
}

// end records that session id ended; its cookie's access token expires
// at accessExpires.
func (e *endedSessions) end(id string, accessExpires time.Time) {
	now := e.now()
	until := later(accessExpires, now.Add(refreshGrace)).Add(time.Minute) // clock skew
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, t := range e.until {
		if now.After(t) {
			delete(e.until, k)
		}
	}
	e.until[id] = until
}

// ended reports whether session id was signed out.
func (e *endedSessions) ended(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.until[id]
	return ok && !e.now().After(t)
}

// later is the later of two instants.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
