package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/business"
)

// landingView is the start page.
type landingView struct {
	SignInURL string
	DemoURL   string
}

func (s *Site) landing(w http.ResponseWriter, r *http.Request) {
	v := landingView{SignInURL: "/signin"}
	if s.cfg.DemoSubdomain != "" {
		v.DemoURL = businessPath(s.cfg.DemoSubdomain)
	}
	s.render(w, r, http.StatusOK, "landing", view{Title: s.cfg.ProductName + " — appointments, booked online", Main: v})
}

// businessView is a business's page.
type businessView struct {
	Name        string
	Description string
	Address     []string // lines
	Services    []serviceCard
	Staff       []string
}

// serviceCard is one service in a business's list.
type serviceCard struct {
	Name, Description, Duration, Price, URL string
	RequiresPayment                         bool
}

func (s *Site) businessPage(w http.ResponseWriter, r *http.Request) {
	pv, err := s.deps.Businesses.Public(r.Context(), r.PathValue("subdomain"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := businessView{Name: pv.Business.Name, Description: pv.Business.Description, Address: addressLines(pv.Business.Address)}
	for _, o := range pv.Offerings {
		v.Services = append(v.Services, serviceCard{
			Name: o.Name, Description: o.Description, Duration: duration(o.DurationMinutes),
			Price: price(o.PriceMinor, o.Currency), RequiresPayment: o.RequiresPayment,
			URL: servicePath(pv.Business.Subdomain, o.ID),
		})
	}
	for _, st := range pv.Staff {
		v.Staff = append(v.Staff, st.Name)
	}
	s.render(w, r, http.StatusOK, "business", view{Title: pv.Business.Name, Main: v})
}

// addressLines splits a postal address into its lines (none for "").
func addressLines(address string) []string {
	if strings.TrimSpace(address) == "" {
		return nil
	}
	return strings.Split(address, "\n")
}

// offering loads a business by subdomain and one of its services; a
// missing one is apperr.NotFound.
func (s *Site) offering(ctx context.Context, sub, serviceID string) (business.PublicView, business.Offering, error) {
	pv, err := s.deps.Businesses.Public(ctx, sub)
	if err != nil {
		return pv, business.Offering{}, err
	}
	i := slices.IndexFunc(pv.Offerings, func(o business.Offering) bool { return o.ID == serviceID })
	if i < 0 {
		return pv, business.Offering{}, apperr.New(apperr.NotFound, "no service %q", serviceID)
	}
	return pv, pv.Offerings[i], nil
}

// performers are the staff members who perform a service.
func performers(pv business.PublicView, serviceID string) []business.Staff {
	var out []business.Staff
	for _, st := range pv.Staff {
		if st.Implicit || slices.Contains(st.ServiceIDs, serviceID) {
			out = append(out, st)
		}
	}
	return out
}

// staffName returns the name of a staff member ("" if unknown).
func staffName(pv business.PublicView, id string) string {
	for _, st := range pv.Staff {
		if st.ID == id {
			return st.Name
		}
	}
	return ""
}

// businessOf returns the public view of a booking's business.
func (s *Site) businessOf(ctx context.Context, businessID string) (business.PublicView, error) {
	return s.deps.Businesses.PublicByID(ctx, businessID)
}
