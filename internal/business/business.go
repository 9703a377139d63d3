package business

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slotwise/slotwise/internal/apperr"
)

// Sentinel errors of the Store; match them with errors.Is.
var (
	// ErrNotFound: no such business, service, staff member or owner.
	ErrNotFound = errors.New("not found")
	// ErrDuplicateSubdomain: another business has the subdomain.
	ErrDuplicateSubdomain = errors.New("subdomain already taken")
)

// ReasonDuplicateSubdomain is the apperr reason of a taken subdomain.
const ReasonDuplicateSubdomain = "duplicate_subdomain"

// Role is a caller's role, as the auth service assigns them.
type Role string

// The roles.
const (
	RoleOwner  Role = "business_owner"
	RoleClient Role = "client"
	RoleAdmin  Role = "admin"
)

// Actor is the authenticated caller of a use case.
type Actor struct {
	UserID string
	Role   Role
}

// IsAdmin reports whether the actor may act on every business.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin }

// Business is one business: its owner, its public subdomain, the time zone
// its opening hours are in, its booking rules, and its public profile.
type Business struct {
	ID        string
	OwnerID   string
	Name      string
	Subdomain string
	TimeZone  string
	Rules     Rules
	// Description is plain text for the booking page ("" when not set).
	Description string
	// Address is the postal address, lines joined by \n ("" when not set).
	Address string
	// EmbedOrigins are the origins ("https://www.example.com") whose pages
	// may show the booking page in a frame; nil when none may.
	EmbedOrigins []string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// OwnedBy reports whether actor may act on b: its owner or an admin.
func (b Business) OwnedBy(actor Actor) bool { return actor.IsAdmin() || b.OwnerID == actor.UserID }

// Name and text limits.
const (
	MaxNameLen        = 200
	MaxDescriptionLen = 2000
	minSubdomainLen   = 3
	maxSubdomainLen   = 63
)

// reservedSubdomains are labels the platform keeps for itself.
var reservedSubdomains = map[string]bool{
	"www": true, "api": true, "admin": true, "app": true, "auth": true, "login": true,
	"mail": true, "smtp": true, "static": true, "assets": true, "cdn": true, "public": true,
	"help": true, "support": true, "status": true, "docs": true, "blog": true,
	"dashboard": true, "billing": true, "metrics": true, "slotwise": true,
}

// CheckName validates a display name: not blank, at most MaxNameLen
// characters. It returns the trimmed name.
func CheckName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", apperr.Field(apperr.Invalid, field, "%s must not be empty", field)
	case utf8.RuneCountInString(name) > MaxNameLen:
		return "", apperr.Field(apperr.Invalid, field, "%s must be at most %d characters", field, MaxNameLen)
	}
	return name, nil
}

// CheckSubdomain validates a subdomain (a DNS label of 3–63 characters
// a-z, 0-9 and '-', not starting or ending with '-', not reserved) and
// returns it lower-cased.
func CheckSubdomain(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	bad := func(format string, args ...any) (string, error) {
		return "", apperr.Field(apperr.Invalid, "subdomain", format, args...)
	}
	if len(s) < minSubdomainLen || len(s) > maxSubdomainLen {
		return bad("subdomain must be %d to %d characters", minSubdomainLen, maxSubdomainLen)
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return bad("subdomain may hold only a-z, 0-9 and '-', not %q", r)
		}
	}
	if s[0] == '-' || s[len(s)-1] == '-' {
		return bad("subdomain must not start or end with '-'")
	}
	if reservedSubdomains[s] {
		return "", apperr.Field(apperr.Invalid, "subdomain", "subdomain %q is reserved", s).WithReason("reserved_subdomain")
	}
	return s, nil
}

// CheckTimeZone validates an IANA time zone name (the binary embeds the
// zone database, so this does not depend on the host).
func CheckTimeZone(tz string) (string, error) {
	if tz == "" || tz == "Local" {
		return "", apperr.Field(apperr.Invalid, "timeZone", "timeZone must be an IANA time zone such as Europe/Berlin")
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return "", apperr.Field(apperr.Invalid, "timeZone", "unknown time zone %q", tz)
	}
	return tz, nil
}

// Rules are a business's booking rules.
type Rules struct {
	// MinNoticeMinutes is the least time between booking and start.
	MinNoticeMinutes int
	// HorizonDays is how many days ahead a slot may be booked.
	HorizonDays int
	// SlotIntervalMinutes is the time between possible starts.
	SlotIntervalMinutes int
}

// DefaultRules are the rules of a new business.
func DefaultRules() Rules {
	return Rules{MinNoticeMinutes: 0, HorizonDays: 365, SlotIntervalMinutes: 15}
}

// RuleOverrides are optional rule values: a business patch's new values,
// or a service's overrides of its business's rules (nil: not overridden).
type RuleOverrides struct {
	MinNoticeMinutes    *int
	HorizonDays         *int
	SlotIntervalMinutes *int
}

// IsZero reports whether no value is set.
func (o RuleOverrides) IsZero() bool {
	return o.MinNoticeMinutes == nil && o.HorizonDays == nil && o.SlotIntervalMinutes == nil
}

// Rule bounds.
const (
	maxNoticeMinutes = 366 * 24 * 60
	maxHorizonDays   = 3 * 366
	minSlotInterval  = 5
	maxSlotInterval  = 24 * 60
)

// Check validates the values that are set; prefix names the JSON object
// ("bookingRules").
func (o RuleOverrides) Check(prefix string) error {
	checks := []struct {
		name     string
		v        *int
		min, max int
	}{
		{"minNoticeMinutes", o.MinNoticeMinutes, 0, maxNoticeMinutes},
		{"horizonDays", o.HorizonDays, 1, maxHorizonDays},
		{"slotIntervalMinutes", o.SlotIntervalMinutes, minSlotInterval, maxSlotInterval},
	}
	for _, c := range checks {
		if err := checkRange(prefix+"."+c.name, c.v, c.min, c.max); err != nil {
			return err
		}
	}
	return nil
}

// Apply returns r with the set values of o.
func (r Rules) Apply(o RuleOverrides) Rules {
	if o.MinNoticeMinutes != nil {
		r.MinNoticeMinutes = *o.MinNoticeMinutes
	}
	if o.HorizonDays != nil {
		r.HorizonDays = *o.HorizonDays
	}
	if o.SlotIntervalMinutes != nil {
		r.SlotIntervalMinutes = *o.SlotIntervalMinutes
	}
	return r
}

// checkRange validates an optional integer field.
func checkRange(field string, v *int, lo, hi int) error {
	if v != nil && (*v < lo || *v > hi) {
		return apperr.Field(apperr.Invalid, field, "%s must be between %d and %d, got %d", field, lo, hi, *v)
	}
	return nil
}

// NewBusiness is the input of CreateBusiness. Name, Subdomain and TimeZone
// are required; the profile fields are optional.
type NewBusiness struct {
	Name         *string
	Subdomain    *string
	TimeZone     *string
	Rules        *RuleOverrides
	Description  *string
	Address      *string
	EmbedOrigins *[]string
}

// BusinessPatch is the input of UpdateBusiness: the fields to change (nil:
// unchanged; "" or an empty list clears a profile field).
type BusinessPatch struct {
	Name         *string
	Subdomain    *string
	TimeZone     *string
	Rules        *RuleOverrides
	Description  *string
	Address      *string
	EmbedOrigins *[]string
}

// Build validates a NewBusiness into a Business (without id and times).
func (n NewBusiness) Build(ownerID string) (Business, error) {
	for _, req := range []struct {
		field string
		v     *string
	}{{"name", n.Name}, {"subdomain", n.Subdomain}, {"timeZone", n.TimeZone}} {
		if req.v == nil {
			return Business{}, missing(req.field)
		}
	}
	b := Business{OwnerID: ownerID, Rules: DefaultRules()}
	p := BusinessPatch(n)
	if _, err := p.ApplyTo(&b); err != nil {
		return Business{}, err
	}
	return b, nil
}

// ApplyTo validates p and applies it to b, returning the changes by their
// JSON names (business.updated's "changes"); empty when nothing changed.
// On error b may be partly changed; callers discard it.
func (p BusinessPatch) ApplyTo(b *Business) (map[string]any, error) {
	changes := map[string]any{}
	for _, step := range []func(*Business, map[string]any) error{p.applyIdentity, p.applyRules, p.applyProfile} {
		if err := step(b, changes); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

func (p BusinessPatch) applyIdentity(b *Business, changes map[string]any) error {
	if err := patchField(changes, "name", p.Name, &b.Name, func(v string) (string, error) { return CheckName("name", v) }); err != nil {
		return err
	}
	if err := patchField(changes, "subdomain", p.Subdomain, &b.Subdomain, CheckSubdomain); err != nil {
		return err
	}
	return patchField(changes, "timeZone", p.TimeZone, &b.TimeZone, CheckTimeZone)
}

func (p BusinessPatch) applyRules(b *Business, changes map[string]any) error {
	if p.Rules == nil {
		return nil
	}
	if err := p.Rules.Check("bookingRules"); err != nil {
		return err
	}
	if next := b.Rules.Apply(*p.Rules); next != b.Rules {
		b.Rules = next
		changes["bookingRules"] = RulesMap(next)
	}
	return nil
}

func (p BusinessPatch) applyProfile(b *Business, changes map[string]any) error {
	if err := patchField(changes, "description", p.Description, &b.Description, func(v string) (string, error) { return CheckDescription("description", v) }); err != nil {
		return err
	}
	if err := patchField(changes, "address", p.Address, &b.Address, CheckAddress); err != nil {
		return err
	}
	if p.EmbedOrigins != nil {
		origins, err := CheckEmbedOrigins(*p.EmbedOrigins)
		if err != nil {
			return err
		}
		if !slices.Equal(origins, b.EmbedOrigins) {
			b.EmbedOrigins = origins
			changes["embedOrigins"] = append([]string{}, origins...) // [] rather than null when cleared
		}
	}
	return nil
}

// RulesMap returns rules by their JSON names, for events' changes.
func RulesMap(r Rules) map[string]any {
	return map[string]any{
		"minNoticeMinutes":    r.MinNoticeMinutes,
		"horizonDays":         r.HorizonDays,
		"slotIntervalMinutes": r.SlotIntervalMinutes,
	}
}

// patchField applies one optional field of a patch: nothing when p is
// nil, else *p checked (and normalised) by check, then set if it changed.
func patchField(changes map[string]any, key string, p *string, dst *string, check func(string) (string, error)) error {
	if p == nil {
		return nil
	}
	v, err := check(*p)
	if err != nil {
		return err
	}
	setIfChanged(changes, key, dst, v)
	return nil
}

func setIfChanged[T comparable](changes map[string]any, key string, dst *T, v T) {
	if *dst != v {
		*dst = v
		changes[key] = v
	}
}

func missing(field string) error {
	return apperr.Field(apperr.Invalid, field, "%s is required", field)
}

// Owner is the business service's copy of a user (from user.* events): it
// names the implicit staff member. Deleted marks a user.deleted.
type Owner struct {
	UserID    string
	Email     string
	FirstName string
	LastName  string
	Deleted   bool
	UpdatedAt time.Time
}

// DisplayName is the owner's full name, or "Owner" when it is unknown.
func (o Owner) DisplayName() string {
	if n := strings.TrimSpace(o.FirstName + " " + o.LastName); n != "" {
		return n
	}
	return "Owner"
}
