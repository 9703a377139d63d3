package notification

import "net/url"

// Links builds the absolute links messages carry: the web pages of a
// booking (manage, pay), of a business and of the owner's dashboard. A
// link is "" when Base or the token function is not configured, and the
// templates then leave it out.
type Links struct {
	// Base is the absolute base URL without a trailing slash, e.g.
	// "https://book.example.com".
	Base string
	// Token returns the manage token of a booking (the app derives it with
	// package managetoken from the shared link key).
	Token func(bookingID string) string
}

// Manage returns the booking's manage page: <Base>/m/<token>.
func (l Links) Manage(bookingID string) string {
	if l.Base == "" || l.Token == nil || bookingID == "" {
		return ""
	}
	return l.Base + "/m/" + url.PathEscape(l.Token(bookingID))
}

// Pay returns the booking's payment step: <Base>/m/<token>/pay.
func (l Links) Pay(bookingID string) string {
	if m := l.Manage(bookingID); m != "" {
		return m + "/pay"
	}
	return ""
}

// Business returns a business's booking page: <Base>/b/<subdomain>.
func (l Links) Business(subdomain string) string {
	if l.Base == "" || subdomain == "" {
		return ""
	}
	return l.Base + "/b/" + url.PathEscape(subdomain)
}

// OwnerBooking returns the booking in the owner's dashboard:
// <Base>/app/bookings/<bookingId>.
func (l Links) OwnerBooking(bookingID string) string {
	if l.Base == "" || bookingID == "" {
		return ""
	}
	return l.Base + "/app/bookings/" + url.PathEscape(bookingID)
}
