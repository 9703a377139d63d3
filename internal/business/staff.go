package business

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
)

// Staff is a staff member of a business and the services they perform.
// Implicit marks the owner standing in while no staff has been added (see
// the package documentation); it performs every service and its
// ServiceIDs is empty.
type Staff struct {
	ID         string
	BusinessID string
	Name       string
	Email      string // never public, never in events
	ServiceIDs []string
	Implicit   bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// maxStaffServices bounds serviceIds.
const maxStaffServices = 500

// StaffInput is the input of AddStaff.
type StaffInput struct {
	Name       *string
	Email      *string
	ServiceIDs []string // nil when absent
}

// Build validates a new explicit staff member of businessID; known reports
// whether a service id belongs to the business.
func (in StaffInput) Build(businessID string, known func(id string) bool) (Staff, error) {
	if in.Name == nil {
		return Staff{}, missing("name")
	}
	if in.ServiceIDs == nil {
		return Staff{}, missing("serviceIds")
	}
	name, err := CheckName("name", *in.Name)
	if err != nil {
		return Staff{}, err
	}
	s := Staff{BusinessID: businessID, Name: name, ServiceIDs: []string{}}
	if in.Email != nil && strings.TrimSpace(*in.Email) != "" {
		addr, err := mail.ParseAddress(strings.TrimSpace(*in.Email))
		if err != nil || addr.Address != strings.TrimSpace(*in.Email) {
			return Staff{}, apperr.Field(apperr.Invalid, "email", "email must be an e-mail address")
		}
		s.Email = addr.Address
	}
	if len(in.ServiceIDs) > maxStaffServices {
		return Staff{}, apperr.Field(apperr.Invalid, "serviceIds", "at most %d services", maxStaffServices)
	}
	seen := map[string]bool{}
	for i, id := range in.ServiceIDs {
		field := fmt.Sprintf("serviceIds[%d]", i)
		if !known(id) {
			return Staff{}, apperr.Field(apperr.Invalid, field, "%s: no service %q in this business", field, id)
		}
		if seen[id] {
			return Staff{}, apperr.Field(apperr.Invalid, field, "%s: service %q listed twice", field, id)
		}
		seen[id] = true
		s.ServiceIDs = append(s.ServiceIDs, id)
	}
	return s, nil
}

// WithoutService returns the member's service ids without id, and whether
// it was there.
func (s Staff) WithoutService(id string) ([]string, bool) {
	out := make([]string, 0, len(s.ServiceIDs))
	for _, x := range s.ServiceIDs {
		if x != id {
			out = append(out, x)
		}
	}
	return out, len(out) != len(s.ServiceIDs)
}
