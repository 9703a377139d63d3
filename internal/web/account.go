package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/web/csrf"
)

// Paths of the account pages.
const (
	signInPath    = "/signin"
	signUpPath    = "/signup"
	signOutPath   = "/signout"
	bookingsPath  = "/bookings"
	dashboardPath = "/app"
)

// session is a signed-in browser: who it acts for, and its cookie's state.
type session struct {
	Principal authn.Principal
	state     sessionState
}

// displayName is what the header calls the user: their name, else their
// e-mail address.
func (s *session) displayName() string {
	if s.state.Name != "" {
		return s.state.Name
	}
	return s.state.Email
}

// home is the page a user's role starts at: the dashboard for owners and
// admins, their bookings for clients.
func home(role authn.Role) (path, label string) {
	if role == authn.RoleOwner || role == authn.RoleAdmin {
		return dashboardPath, "Dashboard"
	}
	return bookingsPath, "My bookings"
}

// schedulingActor is the session's user as the scheduling service's actor.
func (s *session) schedulingActor() scheduling.Actor {
	return scheduling.Actor{UserID: s.Principal.UserID, Role: scheduling.Role(s.Principal.Role)}
}

// accounts is the sign-in machinery: nil when the site has no Accounts
// (the auth service runs elsewhere), and then no account page exists.
type accounts struct {
	svc     Accounts
	tokens  TokenVerifier
	lists   ClientBookings
	codec   *sessionCodec
	refresh *refresher
	ended   *endedSessions
	linkKey []byte
	maxAge  time.Duration
}

// DefaultSessionMaxAge is Config.SessionMaxAge's default: the auth
// service's refresh token lifetime, renewed by each refresh.
const DefaultSessionMaxAge = auth.DefaultRefreshTTL

func newAccounts(d Deps, c Config) (*accounts, error) {
	if d.Accounts == nil {
		return nil, nil
	}
	switch {
	case d.Tokens == nil:
		return nil, errors.New("web: Deps.Tokens is required with Deps.Accounts")
	case d.ClientBookings == nil:
		return nil, errors.New("web: Deps.ClientBookings is required with Deps.Accounts")
	case len(c.LinkKey) == 0:
		return nil, errors.New("web: Config.LinkKey is required with Deps.Accounts")
	}
	key := c.SessionKey
	if len(key) == 0 { // a key of its own, derived from the form key
		m := hmac.New(sha256.New, c.CSRFKey)
		m.Write([]byte("web session"))
		key = m.Sum(nil)
	}
	codec, err := newSessionCodec(key)
	if err != nil {
		return nil, err
	}
	maxAge := c.SessionMaxAge
	if maxAge <= 0 {
		maxAge = DefaultSessionMaxAge
	}
	return &accounts{
		svc: d.Accounts, tokens: d.Tokens, lists: d.ClientBookings, codec: codec,
		refresh: newRefresher(d.Accounts.Refresh, d.Now), ended: newEndedSessions(d.Now),
		linkKey: c.LinkKey, maxAge: maxAge,
	}, nil
}

// resolve reads r's session cookie: nil for none, an unreadable one or
// one signed out (the cookie is then cleared). An expired access token is
// renewed with the refresh token (the new cookie is set on w); a refused
// refresh ends the session.
func (a *accounts) resolve(w http.ResponseWriter, r *http.Request, jar cookieJar) (*session, error) {
	raw := jar.read(r, sessionCookieName)
	if raw == "" {
		return nil, nil
	}
	st, err := a.codec.open(raw)
	if err != nil || a.ended.ended(st.ID) {
		jar.clear(w, sessionCookieName)
		return nil, nil
	}
	if p, err := a.tokens.Verify(st.Access); err == nil {
		return &session{Principal: p, state: st}, nil
	}
	next, err := a.refresh.refresh(r.Context(), st.Refresh)
	switch apperr.CodeOf(err) {
	case "":
	case apperr.Unauthenticated, apperr.Invalid, apperr.NotFound:
		jar.clear(w, sessionCookieName)
		return nil, nil
	default:
		return nil, fmt.Errorf("refresh session: %w", err)
	}
	return a.start(w, jar, st.ID, next)
}

// start writes the cookie of browser session id holding as, the auth
// service's answer to a sign-in, sign-up or refresh.
func (a *accounts) start(w http.ResponseWriter, jar cookieJar, id string, as auth.Session) (*session, error) {
	p, err := a.tokens.Verify(as.AccessToken)
	if err != nil {
		return nil, fmt.Errorf("verify new access token: %w", err)
	}
	st := sessionState{
		ID: id, Refresh: as.RefreshToken, Access: as.AccessToken, AccessExpires: as.AccessExpires.Unix(),
		Name: strings.TrimSpace(as.User.FirstName + " " + as.User.LastName), Email: as.User.Email,
	}
	v, err := a.codec.seal(st)
	if err != nil {
		return nil, err
	}
	jar.set(w, sessionCookieName, v, a.maxAge)
	return &session{Principal: p, state: st}, nil
}

// sessionCtxKey carries a request's resolved session (see Site.session).
type sessionCtxKey struct{}

// resolvedSession is a resolved session; sess is nil for anonymous.
type resolvedSession struct{ sess *session }

// session returns the request's signed-in session (nil: anonymous) and r
// carrying it, so that the layout's header does not resolve it again.
func (s *Site) session(w http.ResponseWriter, r *http.Request) (*session, *http.Request, error) {
	if v, ok := r.Context().Value(sessionCtxKey{}).(resolvedSession); ok {
		return v.sess, r, nil
	}
	if s.acct == nil {
		return nil, r, nil
	}
	sess, err := s.acct.resolve(w, r, s.jarFor(r))
	if err != nil {
		return nil, r, err
	}
	return sess, r.WithContext(context.WithValue(r.Context(), sessionCtxKey{}, resolvedSession{sess})), nil
}

// signedIn returns the session of a page that needs one. Without one it
// has answered: a redirect to the sign-in page, back here afterwards
// (or the 503 page when the session could not be checked).
func (s *Site) signedIn(w http.ResponseWriter, r *http.Request) (*session, *http.Request, bool) {
	sess, r, err := s.session(w, r)
	if err != nil {
		s.deps.Logger.ErrorContext(r.Context(), "web: check session", "error", err)
		s.fail(w, r, apperr.New(apperr.Unavailable, "session check failed"))
		return nil, r, false
	}
	if sess == nil {
		s.redirect(w, r, withQuery(signInPath, "next", localPath(r.URL.RequestURI())))
		return nil, r, false
	}
	return sess, r, true
}

// currentActor is the scheduling actor of the request: the signed-in user,
// or anonymous. Pages that book or act for a visitor use it so that a
// signed-in client's booking is theirs (listed under "My bookings").
func (s *Site) currentActor(w http.ResponseWriter, r *http.Request) (scheduling.Actor, *http.Request) {
	sess, r, err := s.session(w, r)
	if err != nil || sess == nil {
		return scheduling.Actor{}, r
	}
	return sess.schedulingActor(), r
}

// headerView is the account part of the layout's header.
type headerView struct {
	// SignInURL links to the sign-in page ("" when there is none here, or
	// someone is signed in).
	SignInURL string
	// User is the signed-in user; nil for a visitor.
	User *userView
}

// userView is the signed-in user in the header.
type userView struct {
	Name, Email     string
	Home, HomeLabel string
	SignOut         form
}

// header describes the header's account part for r.
func (s *Site) header(w http.ResponseWriter, r *http.Request) headerView {
	if s.acct == nil {
		return headerView{}
	}
	sess, r, err := s.session(w, r)
	if err != nil {
		s.deps.Logger.WarnContext(r.Context(), "web: check session for the header", "error", err)
	}
	if sess == nil {
		return headerView{SignInURL: signInLink(r)}
	}
	homePath, label := home(sess.Principal.Role)
	return headerView{User: &userView{
		Name: sess.displayName(), Email: sess.state.Email, Home: homePath, HomeLabel: label,
		SignOut: s.sessionForm(sess, signOutPath),
	}}
}

// signInLink is the header's sign-in link: back to this page afterwards
// when it is one worth coming back to; none on the sign-in page.
func signInLink(r *http.Request) string {
	switch r.URL.Path {
	case signInPath:
		return "" // the page itself
	case "/", signUpPath, signOutPath:
		return signInPath
	}
	if r.Method != http.MethodGet {
		return signInPath
	}
	return withQuery(signInPath, "next", localPath(r.URL.RequestURI()))
}

// sessionForm is a form of a signed-in page: its token is bound to the
// browser session, so it is refused from any other.
func (s *Site) sessionForm(sess *session, action string) form {
	return form{Action: action, Token: s.csrf.Token(action, sessionBinding(sess.state.ID))}
}

func sessionBinding(id string) string { return "session:" + id }

// checkBound parses a posted form and verifies its token for the path and
// binding; on failure it has answered 403 (400 for an unreadable body).
func (s *Site) checkBound(w http.ResponseWriter, r *http.Request, binding string) bool {
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, "We couldn't read this form. Please go back and try again.", "", "")
		return false
	}
	if err := s.csrf.Check(r.PostFormValue(csrf.FieldName), r.URL.Path, binding); err != nil {
		s.forbidden(w, r)
		return false
	}
	return true
}

// localPath returns next when it names a page of this site ("/bookings",
// "/b/demo?x=1"), else "": no scheme, host or protocol-relative "//", no
// backslash or control character (which browsers may read as a host), and
// not an account action.
func localPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return ""
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	p := u.EscapedPath()
	switch p {
	case signInPath, signUpPath, signOutPath:
		return ""
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}
