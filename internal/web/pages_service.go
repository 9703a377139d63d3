package web

import (
	"net/http"
	"time"
)

// serviceView is a service's page: the service and its picker.
type serviceView struct {
	Business    string
	BusinessURL string
	Service     serviceCard
	Picker      pickerView
}

func (s *Site) servicePage(w http.ResponseWriter, r *http.Request) {
	sub, svc := r.PathValue("subdomain"), r.PathValue("service")
	pv, o, err := s.offering(r.Context(), sub, svc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	spec := pickerSpec{
		Base: servicePath(sub, svc), PV: pv, Offering: o,
		SlotURL: func(start time.Time, staffID string, zone *time.Location) string {
			return withQuery(bookPath(sub, svc), "start", start.UTC().Format(time.RFC3339), "staff", staffID, "tz", zone.String())
		},
	}
	pk, err := s.picker(r.Context(), spec, pickerQueryOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if wantsFragment(r) {
		s.renderFragment(w, r, http.StatusOK, "service", "picker", pk)
		return
	}
	v := serviceView{
		Business: pv.Business.Name, BusinessURL: businessPath(sub), Picker: pk,
		Service: serviceCard{Name: o.Name, Description: o.Description, Duration: duration(o.DurationMinutes),
			Price: price(o.PriceMinor, o.Currency), RequiresPayment: o.RequiresPayment},
	}
	s.render(w, r, http.StatusOK, "service", view{Title: o.Name + " — " + pv.Business.Name, Main: v})
}
