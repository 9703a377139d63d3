package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/auth"
)

// accountRoutes are the account pages: sign-in, sign-up, sign-out, the
// client's bookings and (until the dashboard exists) the owner's start.
// None exists when the site has no Accounts.
func (s *Site) accountRoutes() []route {
	if s.acct == nil {
		return nil
	}
	return []route{
		{"GET " + signInPath, s.signInPage},
		{"POST " + signInPath, s.signIn},
		{"GET " + signUpPath, s.signUpPage},
		{"POST " + signUpPath, s.signUp},
		{"GET " + signOutPath, s.signOutPage},
		{"POST " + signOutPath, s.signOut},
		{"GET " + bookingsPath, s.myBookings},
		{"GET " + dashboardPath, s.dashboard},
		// The landing page's first sign-in link pointed here.
		{"GET " + dashboardPath + signInPath, s.oldSignInLink},
	}
}

// route is a page's pattern and handler.
type route struct {
	pattern string
	h       http.HandlerFunc
}

// signInView is the sign-in page.
type signInView struct {
	Form      form
	Next      string
	Email     string
	Errors    struct{ Email, Password string }
	Message   string // why the last attempt was refused
	Notice    string // after signing out
	SignUpURL string
}

// noticeWords are the sign-in page's messages after an action (done=).
var noticeWords = map[string]string{
	"signedout": "You're signed out.",
}

func (s *Site) signInPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if sess, r, _ := s.session(w, r); sess != nil {
		s.redirect(w, r, orHome(next, sess))
		return
	}
	v := signInView{Next: next, Notice: noticeWords[r.URL.Query().Get("done")]}
	s.renderSignIn(w, r, http.StatusOK, v)
}

func (s *Site) renderSignIn(w http.ResponseWriter, r *http.Request, status int, v signInView) {
	v.Form = form{Action: signInPath, Token: s.csrf.Token(signInPath, s.formBinding(w, r))}
	v.SignUpURL = withQuery(signUpPath, "next", v.Next)
	s.render(w, r, status, "signin", view{Title: "Sign in — " + s.cfg.ProductName, Main: v})
}

func (s *Site) signIn(w http.ResponseWriter, r *http.Request) {
	if !s.checkBrowserForm(w, r) {
		return
	}
	v := signInView{Next: localPath(r.PostFormValue("next")), Email: strings.TrimSpace(r.PostFormValue("email"))}
	as, err := s.acct.svc.Login(r.Context(), v.Email, r.PostFormValue("password"), auth.ClientAddress(r.RemoteAddr))
	if err != nil {
		s.signInRefused(w, r, v, err)
		return
	}
	s.begin(w, r, as, v.Next)
}

// signInRefused shows the sign-in form again with why, the e-mail kept.
func (s *Site) signInRefused(w http.ResponseWriter, r *http.Request, v signInView, err error) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		s.fail(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	switch {
	case ae.Code == apperr.TooManyRequests:
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(int((ae.RetryAfter+time.Second-1)/time.Second)))
		v.Message = "Too many failed sign-ins. For your safety, please wait " + waitWords(ae.RetryAfter) + " and try again."
	case ae.Code == apperr.Unauthenticated:
		v.Message = "That e-mail and password don't match an account. Please check them and try again."
	case ae.Code == apperr.Invalid && ae.Field == "email":
		v.Errors.Email = emailError(v.Email)
	case ae.Code == apperr.Invalid && ae.Field == "password":
		v.Errors.Password = "Please enter your password."
	default:
		s.fail(w, r, err)
		return
	}
	s.renderSignIn(w, r, status, v)
}

// waitWords says how long to wait: "3 minutes", "40 seconds".
func waitWords(d time.Duration) string {
	if d < time.Minute {
		return plural(max(1, int((d+time.Second-1)/time.Second)), "second", "seconds")
	}
	return plural(int((d+time.Minute-1)/time.Minute), "minute", "minutes")
}

// begin starts a browser session with the auth service's answer to a
// sign-in or sign-up and sends the browser on: to next, else to the
// user's start page (fallback, when not "").
func (s *Site) begin(w http.ResponseWriter, r *http.Request, as auth.Session, next string, fallback ...string) {
	jar := s.jarFor(r)
	s.endPrevious(r, jar)
	sess, err := s.acct.start(w, jar, newID(), as)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	jar.clear(w, formCookieName)
	if next == "" && len(fallback) > 0 {
		next = fallback[0]
	}
	s.redirect(w, r, orHome(next, sess))
}

// endPrevious signs out the session a browser had before signing in
// again, so that its refresh token does not stay valid unused.
func (s *Site) endPrevious(r *http.Request, jar cookieJar) {
	st, err := s.acct.codec.open(jar.read(r, sessionCookieName))
	if err != nil {
		return
	}
	if err := s.acct.svc.Logout(r.Context(), st.Refresh); err != nil {
		s.deps.Logger.WarnContext(r.Context(), "web: end the previous session", "error", err)
		return
	}
	s.acct.ended.end(st.ID, time.Unix(st.AccessExpires, 0))
}

// orHome is next, else the session's start page.
func orHome(next string, sess *session) string {
	if next != "" {
		return next
	}
	p, _ := home(sess.Principal.Role)
	return p
}

// formBinding binds the token of a sign-in or sign-up form to this
// browser: a random id in a short-lived cookie (set on w), so that a form
// token fetched by another site cannot sign a visitor in to the other
// site's account (login CSRF).
func (s *Site) formBinding(w http.ResponseWriter, r *http.Request) string {
	jar := s.jarFor(r)
	id := jar.read(r, formCookieName)
	if !validID(id) {
		id = newID()
	}
	jar.set(w, formCookieName, id, s.cfg.FormTTL)
	return "browser:" + id
}

// checkBrowserForm checks a sign-in or sign-up form's token against the
// browser's form cookie; on failure it has answered 403.
func (s *Site) checkBrowserForm(w http.ResponseWriter, r *http.Request) bool {
	id := s.jarFor(r).read(r, formCookieName)
	if !validID(id) {
		s.errorPage(w, r, errorView{
			Status: http.StatusForbidden, Heading: "Please allow cookies",
			Message: "Signing in needs a cookie that keeps you signed in on this site. Please allow cookies for this site, reload the page and try again.",
			Back:    signInPath, BackLabel: "Back to sign in",
		})
		return false
	}
	return s.checkBound(w, r, "browser:"+id)
}

// validID reports whether v has the shape of newID's ids.
func validID(v string) bool {
	if len(v) != 22 {
		return false
	}
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// signUpView is the sign-up page.
type signUpView struct {
	Form        form
	Next        string
	Input       struct{ FirstName, LastName, Email string }
	Errors      signUpErrors
	SignInURL   string
	MinPassword int
	MaxPassword int
}

// signUpErrors are the sign-up form's field errors, in words.
type signUpErrors struct{ FirstName, LastName, Email, Password string }

// Any reports whether some field has an error.
func (e signUpErrors) Any() bool { return e != signUpErrors{} }

func (s *Site) signUpPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if sess, r, _ := s.session(w, r); sess != nil {
		s.redirect(w, r, orHome(next, sess))
		return
	}
	s.renderSignUp(w, r, http.StatusOK, signUpView{Next: next})
}

func (s *Site) renderSignUp(w http.ResponseWriter, r *http.Request, status int, v signUpView) {
	v.Form = form{Action: signUpPath, Token: s.csrf.Token(signUpPath, s.formBinding(w, r))}
	v.SignInURL = withQuery(signInPath, "next", v.Next)
	v.MinPassword, v.MaxPassword = auth.MinPasswordLen, auth.MaxPasswordLen
	s.render(w, r, status, "signup", view{Title: "Create an account — " + s.cfg.ProductName, Main: v})
}

func (s *Site) signUp(w http.ResponseWriter, r *http.Request) {
	if !s.checkBrowserForm(w, r) {
		return
	}
	v := signUpView{Next: localPath(r.PostFormValue("next"))}
	v.Input.FirstName = strings.TrimSpace(r.PostFormValue("first_name"))
	v.Input.LastName = strings.TrimSpace(r.PostFormValue("last_name"))
	v.Input.Email = strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	v.Errors = signUpErrors{
		FirstName: nameError("first name", v.Input.FirstName),
		LastName:  nameError("last name", v.Input.LastName),
		Email:     emailError(v.Input.Email),
		Password:  passwordError(password),
	}
	if v.Errors.Any() {
		s.renderSignUp(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	as, err := s.acct.svc.Register(r.Context(), auth.Registration{
		Email: v.Input.Email, Password: password, FirstName: v.Input.FirstName, LastName: v.Input.LastName, Role: auth.RoleClient,
	})
	var ae *apperr.Error
	switch {
	case err == nil:
		s.begin(w, r, as, v.Next, withQuery(bookingsPath, "done", "welcome"))
	case errors.As(err, &ae) && ae.Code == apperr.Conflict && ae.Field == "email":
		v.Errors.Email = "An account with this e-mail already exists. Sign in instead, or use another address."
		s.renderSignUp(w, r, http.StatusConflict, v)
	case errors.As(err, &ae) && ae.Code == apperr.Invalid && ae.Field != "":
		// The auth service's rules are the ones checked above; a field it
		// still refuses is shown beside that field.
		v.Errors.set(ae.Field, "Please check this field.")
		s.renderSignUp(w, r, http.StatusUnprocessableEntity, v)
	default:
		s.fail(w, r, err)
	}
}

func (e *signUpErrors) set(field, msg string) {
	switch field {
	case "firstName":
		e.FirstName = msg
	case "lastName":
		e.LastName = msg
	case "email":
		e.Email = msg
	default:
		e.Password = msg
	}
}

// nameError says in words what is wrong with a name (auth's rule), or "".
func nameError(label, v string) string {
	if _, err := auth.NormalizeName("name", v); err == nil {
		return ""
	}
	switch {
	case v == "":
		return "Please enter your " + label + "."
	case utf8.RuneCountInString(v) > auth.MaxNameLen:
		return fmt.Sprintf("Please use at most %d characters.", auth.MaxNameLen)
	}
	return "Please use letters only: no line breaks or tabs."
}

// emailError says in words what is wrong with an e-mail address, or "".
func emailError(v string) string {
	if _, err := auth.NormalizeEmail("email", v); err == nil {
		return ""
	}
	if v == "" {
		return "Please enter your e-mail address."
	}
	return "Please enter a valid e-mail address, like name@example.com."
}

// passwordError says in words what is wrong with a new password, or "".
func passwordError(v string) string {
	if err := auth.CheckPassword("password", v); err == nil {
		return ""
	}
	if v == "" {
		return "Please choose a password."
	}
	if utf8.RuneCountInString(v) < auth.MinPasswordLen {
		return fmt.Sprintf("Please use at least %d characters.", auth.MinPasswordLen)
	}
	return fmt.Sprintf("Please use at most %d characters.", auth.MaxPasswordLen)
}

// signOutView is the page asking to confirm signing out (GET /signout).
type signOutView struct {
	Name string
	Form form
}

func (s *Site) signOutPage(w http.ResponseWriter, r *http.Request) {
	sess, r, _ := s.session(w, r)
	if sess == nil {
		s.redirect(w, r, signInPath)
		return
	}
	v := signOutView{Name: sess.displayName(), Form: s.sessionForm(sess, signOutPath)}
	s.render(w, r, http.StatusOK, "signout", view{Title: "Sign out — " + s.cfg.ProductName, Main: v})
}

// signOut ends the browser session: the auth service revokes its refresh
// tokens, this process refuses its cookie from now on, and the browser
// is told to drop it. It does not renew an expired access token first.
func (s *Site) signOut(w http.ResponseWriter, r *http.Request) {
	jar := s.jarFor(r)
	st, err := s.acct.codec.open(jar.read(r, sessionCookieName))
	if err != nil || s.acct.ended.ended(st.ID) {
		jar.clear(w, sessionCookieName) // nothing to end
		s.redirect(w, r, withQuery(signInPath, "done", "signedout"))
		return
	}
	if !s.checkBound(w, r, sessionBinding(st.ID)) {
		return
	}
	if err := s.acct.svc.Logout(r.Context(), st.Refresh); err != nil {
		s.fail(w, r, err) // the cookie stays, so signing out can be tried again
		return
	}
	s.acct.ended.end(st.ID, time.Unix(st.AccessExpires, 0))
	jar.clear(w, sessionCookieName)
	s.redirect(w, r, withQuery(signInPath, "done", "signedout"))
}

// oldSignInLink sends /app/signin (the landing page's link) to /signin.
func (s *Site) oldSignInLink(w http.ResponseWriter, r *http.Request) {
	s.redirect(w, r, withQuery(signInPath, "next", localPath(r.URL.Query().Get("next"))))
}
