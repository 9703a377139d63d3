package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/managetoken"
	"github.com/slotwise/slotwise/internal/scheduling"
)

// bookingsPageSize is how many bookings "My bookings" shows at once.
const bookingsPageSize = 10

// bookingsView is "My bookings".
type bookingsView struct {
	Email       string
	Banner      string
	Past        bool
	UpcomingURL string
	PastURL     string
	Items       []bookingItem
	Page        int
	PrevURL     string
	NextURL     string
}

// bookingItem is one booking in the list, in its business's zone.
type bookingItem struct {
	Service     string
	Business    string
	BusinessURL string
	When        string
	Zone        string
	Status      string
	StatusClass string
	ManageURL   string
	ManageLabel string
	Pending     bool
}

// bookingsBanners are the messages after an action (done=).
var bookingsBanners = map[string]string{
	"welcome": "Welcome! Your account is ready. Bookings you make while signed in appear here.",
}

// listQuery is the page of the list a URL asks for. The scheduling
// service's cursors only go forward, so the URL also carries the cursors
// of the pages before (prev, oldest first, "."-separated: base64url has
// no dot) for the "previous" link.
type listQuery struct {
	past   bool
	cursor string
	trail  []string
}

func parseListQuery(r *http.Request) listQuery {
	q := r.URL.Query()
	lq := listQuery{past: q.Get("when") == scheduling.WhenPast, cursor: q.Get("cursor")}
	if lq.cursor == "" {
		return lq
	}
	for _, c := range strings.Split(q.Get("prev"), ".") {
		if c != "" {
			lq.trail = append(lq.trail, c)
		}
	}
	return lq
}

func (q listQuery) when() string {
	if q.past {
		return scheduling.WhenPast
	}
	return scheduling.WhenUpcoming
}

// url is the list's URL at cursor with trail before it.
func (q listQuery) url(cursor string, trail []string) string {
	when := ""
	if q.past {
		when = scheduling.WhenPast
	}
	return withQuery(bookingsPath, "when", when, "cursor", cursor, "prev", strings.Join(trail, "."))
}

// prevURL is the page before ("" on the first).
func (q listQuery) prevURL() string {
	switch n := len(q.trail); {
	case q.cursor == "":
		return ""
	case n == 0:
		return q.url("", nil)
	default:
		return q.url(q.trail[n-1], q.trail[:n-1])
	}
}

// nextURL is the page at next ("" when there is none).
func (q listQuery) nextURL(next string) string {
	if next == "" {
		return ""
	}
	trail := q.trail
	if q.cursor != "" {
		trail = append(trail[:len(trail):len(trail)], q.cursor)
	}
	return q.url(next, trail)
}

// page is the page's number, from 1.
func (q listQuery) page() int {
	if q.cursor == "" {
		return 1
	}
	return len(q.trail) + 2
}

func (s *Site) myBookings(w http.ResponseWriter, r *http.Request) {
	sess, r, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	lq := parseListQuery(r)
	page, err := s.acct.lists.ClientBookings(r.Context(), sess.schedulingActor(), scheduling.ClientListQuery{
		When: lq.when(), Limit: bookingsPageSize, Cursor: lq.cursor,
	})
	if apperr.CodeOf(err) == apperr.Invalid && lq.cursor != "" {
		s.redirect(w, r, lq.url("", nil)) // a cursor from another list or a mangled link
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := bookingsView{
		Email: sess.state.Email, Banner: bookingsBanners[r.URL.Query().Get("done")], Past: lq.past,
		UpcomingURL: bookingsPath, PastURL: withQuery(bookingsPath, "when", scheduling.WhenPast),
		Page: lq.page(), PrevURL: lq.prevURL(), NextURL: lq.nextURL(page.NextCursor),
	}
	v.Items = s.bookingItems(r.Context(), page.Bookings)
	title := "My bookings"
	if v.Page > 1 {
		title += " — page " + strconv.Itoa(v.Page)
	}
	s.render(w, r, http.StatusOK, "bookings", view{Title: title, Main: v})
}

// bookingItems describes bookings, each in its business's zone.
func (s *Site) bookingItems(ctx context.Context, bs []scheduling.Booking) []bookingItem {
	views := map[string]business.PublicView{}
	items := make([]bookingItem, 0, len(bs))
	for _, b := range bs {
		pv, ok := views[b.BusinessID]
		if !ok {
			var err error
			pv, err = s.businessOf(ctx, b.BusinessID)
			if err != nil && apperr.CodeOf(err) != apperr.NotFound {
				s.deps.Logger.WarnContext(ctx, "web: read booking's business", "business", b.BusinessID, "error", err)
			}
			views[b.BusinessID] = pv
		}
		items = append(items, s.bookingItem(b, pv))
	}
	return items
}

func (s *Site) bookingItem(b scheduling.Booking, pv business.PublicView) bookingItem {
	zone, ok := loadZone(pv.Business.TimeZone)
	if !ok {
		zone = time.UTC
	}
	it := bookingItem{
		Service: "Appointment", Business: pv.Business.Name,
		When: span(b.Start.In(zone), b.End.In(zone)), Zone: zoneLabel(zone, b.Start),
		Status: statusWords[b.Status], StatusClass: string(b.Status),
		ManageURL: managePath(managetoken.For(s.acct.linkKey, b.ID)),
		Pending:   b.Status == scheduling.StatusPending,
	}
	for _, o := range pv.Offerings {
		if o.ID == b.ServiceID {
			it.Service = o.Name
		}
	}
	if it.Business == "" {
		it.Business = "A business no longer on " + s.cfg.ProductName
	}
	if pv.Business.Subdomain != "" {
		it.BusinessURL = businessPath(pv.Business.Subdomain)
	}
	it.ManageLabel = "Manage " + it.Service + ", " + it.When
	return it
}

// dashboardView is the owner's start page until the dashboard exists.
type dashboardView struct {
	Name       string
	Businesses []dashboardLink
}

// dashboardLink is one of the owner's booking pages.
type dashboardLink struct{ Name, URL string }

// businessLister is (*business.Service).ListBusinesses, which the start
// page uses when Deps.Businesses has it.
type businessLister interface {
	ListBusinesses(ctx context.Context, actor business.Actor) ([]business.Business, error)
}

// dashboard is /app: for owners (and admins), a placeholder of the
// dashboard to come, with links to their booking pages. Clients are
// refused (403) and pointed to their bookings.
func (s *Site) dashboard(w http.ResponseWriter, r *http.Request) {
	sess, r, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	if sess.Principal.Role != authn.RoleOwner && sess.Principal.Role != authn.RoleAdmin {
		s.errorPage(w, r, errorView{
			Status: http.StatusForbidden, Heading: "This page is for businesses",
			Message: "The dashboard is where businesses manage their bookings. Your own bookings are on “My bookings”.",
			Back:    bookingsPath, BackLabel: "Go to my bookings",
		})
		return
	}
	v := dashboardView{Name: sess.displayName()}
	if l, ok := s.deps.Businesses.(businessLister); ok {
		bs, err := l.ListBusinesses(r.Context(), business.Actor{UserID: sess.Principal.UserID, Role: business.Role(sess.Principal.Role)})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, b := range bs {
			v.Businesses = append(v.Businesses, dashboardLink{Name: b.Name, URL: businessPath(b.Subdomain)})
		}
	}
	s.render(w, r, http.StatusOK, "dashboard", view{Title: "Dashboard — " + s.cfg.ProductName, Main: v})
}
