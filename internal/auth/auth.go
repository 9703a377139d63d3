package auth

import (
	"errors"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slotwise/slotwise/internal/apperr"
)

// Role is a user's role. The values are the ones access tokens carry
// (internal/authn's roles), which the app converts at the issuer.
type Role string

// The roles.
const (
	RoleOwner  Role = "business_owner"
	RoleClient Role = "client"
	RoleAdmin  Role = "admin"
)

// User is an account. Its password hash is kept by the store, never here.
type User struct {
	ID        string
	Email     string // normalised: trimmed and lower-case
	FirstName string
	LastName  string
	Role      Role
	CreatedAt time.Time
	UpdatedAt time.Time
	// DeletedAt is set once the user deleted the account (the row stays,
	// anonymised, so ids in the event log keep pointing somewhere).
	DeletedAt *time.Time
}

// Deleted reports whether the account was deleted.
func (u User) Deleted() bool { return u.DeletedAt != nil }

// Limits of the account fields.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
	MaxNameLen     = 100
	MaxEmailLen    = 254
)

// Sentinel errors of the auth service. The use cases return them wrapped in
// an *apperr.Error with the HTTP meaning, so errors.Is works on both.
var (
	ErrDuplicateEmail      = errors.New("e-mail already registered")
	ErrNotFound            = errors.New("user not found")
	ErrInvalidCredentials  = errors.New("invalid e-mail or password")
	ErrInvalidRefreshToken = errors.New("invalid refresh token")
	ErrRefreshTokenReused  = errors.New("refresh token reused; its session was revoked")
	ErrThrottled           = errors.New("too many failed logins")
)

// NormalizeEmail returns the canonical form of an e-mail address, under
// which uniqueness is checked (case-insensitive), or an Invalid error
// naming field.
func NormalizeEmail(field, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", apperr.Field(apperr.Invalid, field, "%s is required", field)
	}
	if len(s) > MaxEmailLen {
		return "", apperr.Field(apperr.Invalid, field, "%s is longer than %d characters", field, MaxEmailLen)
	}
	addr, err := mail.ParseAddress(s)
	// ParseAddress accepts "Name <a@b>"; only a bare address is an e-mail.
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", apperr.Field(apperr.Invalid, field, "%s is not a valid e-mail address", field)
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", apperr.Field(apperr.Invalid, field, "%s is not a valid e-mail address", field)
	}
	return strings.ToLower(s), nil
}

// CheckPassword applies the password policy: 8 to 128 characters.
func CheckPassword(field, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		return apperr.Field(apperr.Invalid, field, "%s is required", field)
	case n < MinPasswordLen:
		return apperr.Field(apperr.Invalid, field, "%s must have at least %d characters", field, MinPasswordLen)
	case n > MaxPasswordLen || len(pw) > maxPasswordBytes:
		return apperr.Field(apperr.Invalid, field, "%s must have at most %d characters", field, MaxPasswordLen)
	}
	return nil
}

// NormalizeName trims a first or last name and checks it has 1 to 100
// characters.
func NormalizeName(field, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return "", apperr.Field(apperr.Invalid, field, "%s is required", field)
	case utf8.RuneCountInString(s) > MaxNameLen:
		return "", apperr.Field(apperr.Invalid, field, "%s must have at most %d characters", field, MaxNameLen)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, isControl):
		return "", apperr.Field(apperr.Invalid, field, "%s contains control characters", field)
	}
	return s, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// Registration is a validated request to create an account.
type Registration struct {
	Email     string
	Password  string
	FirstName string
	LastName  string
	Role      Role
}

// Validate normalises r and checks every field; admin is refused unless
// allowAdmin (the CLI path).
func (r *Registration) Validate(allowAdmin bool) error {
	var err error
	if r.Email, err = NormalizeEmail("email", r.Email); err != nil {
		return err
	}
	if err = CheckPassword("password", r.Password); err != nil {
		return err
	}
	if r.FirstName, err = NormalizeName("firstName", r.FirstName); err != nil {
		return err
	}
	if r.LastName, err = NormalizeName("lastName", r.LastName); err != nil {
		return err
	}
	return checkRole(r.Role, allowAdmin)
}

func checkRole(role Role, allowAdmin bool) error {
	switch {
	case role == "":
		return apperr.Field(apperr.Invalid, "role", "role is required (business_owner or client)")
	case role == RoleOwner, role == RoleClient:
		return nil
	case role == RoleAdmin && allowAdmin:
		return nil
	case role == RoleAdmin:
		return apperr.Field(apperr.Forbidden, "role", "admin accounts are created with `slotwise admin create-user`")
	}
	return apperr.Field(apperr.Invalid, "role", "role must be business_owner or client, not %q", role)
}

// Patch is a partial update of the caller's own account; nil fields stay.
type Patch struct {
	FirstName *string
	LastName  *string
	Email     *string
	Password  *string
}

// Validate normalises the set fields of p.
func (p *Patch) Validate() error {
	norm := []struct {
		field string
		v     *string
		f     func(string, string) (string, error)
	}{
		{"firstName", p.FirstName, NormalizeName},
		{"lastName", p.LastName, NormalizeName},
		{"email", p.Email, NormalizeEmail},
	}
	for _, n := range norm {
		if n.v == nil {
			continue
		}
		s, err := n.f(n.field, *n.v)
		if err != nil {
			return err
		}
		*n.v = s
	}
	if p.Password != nil {
		return CheckPassword("password", *p.Password)
	}
	return nil
}

// Apply applies p to u and returns the changed fields by their JSON name
// (the data of user.updated) — never the password, which the caller
// handles; passwordChanged says whether p sets one.
func (p Patch) Apply(u *User) (changes map[string]any, passwordChanged bool) {
	changes = map[string]any{}
	set := func(name string, dst *string, v *string) {
		if v != nil && *v != *dst {
			*dst = *v
			changes[name] = *v
		}
	}
	set("firstName", &u.FirstName, p.FirstName)
	set("lastName", &u.LastName, p.LastName)
	set("email", &u.Email, p.Email)
	return changes, p.Password != nil
}
