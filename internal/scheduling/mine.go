package scheduling

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/managetoken"
)

// BookingByToken returns the booking whose manage token is token — the
// manage link (/m/{token}) names no booking id. The token is the
// credential, as ?token= is for Booking: its holder acts as the booking's
// client (Actor.ManageToken). An empty or unknown token is a 404 error
// that matches ErrNotFound.
func (s *Service) BookingByToken(ctx context.Context, token string) (Booking, error) {
	if token == "" {
		return Booking{}, unknownToken()
	}
	hash := managetoken.Hash(token)
	b, err := s.store.BookingByTokenHash(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return Booking{}, unknownToken()
	}
	if err != nil {
		return Booking{}, fmt.Errorf("booking by manage token: %w", err)
	}
	// The database found the row by the hash; comparing again, in
	// constant time, keeps the decision here whatever the column's
	// collation does.
	if subtle.ConstantTimeCompare([]byte(hash), []byte(b.ManageTokenHash)) != 1 {
		return Booking{}, unknownToken()
	}
	return b, nil
}

func unknownToken() error {
	return &apperr.Error{Code: apperr.NotFound, Message: "no booking has this manage link", Err: ErrNotFound}
}

// Page sizes of ClientBookings.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// The values of ClientListQuery.When.
const (
	WhenUpcoming = "upcoming"
	WhenPast     = "past"
)

// ClientListQuery selects a page of the caller's own bookings.
type ClientListQuery struct {
	// When is WhenUpcoming (the default: bookings that have not ended,
	// earliest start first) or WhenPast (ended, latest start first).
	When string
	// Limit is the page size: 0 for DefaultPageSize, at most MaxPageSize.
	Limit int
	// Cursor is the previous page's NextCursor ("" for the first page).
	Cursor string
}

// BookingPage is one page of a list of bookings.
type BookingPage struct {
	Bookings []Booking
	// NextCursor asks for the next page (ClientListQuery.Cursor); "" on
	// the last one.
	NextCursor string
}

// ClientBookings lists the bookings the actor made as a client (booked
// with their account: a client's, and an owner's or admin's own), of
// every status, one page at a time; guest bookings made with the same
// e-mail address are not theirs. Anonymous callers get 401.
func (s *Service) ClientBookings(ctx context.Context, actor Actor, q ClientListQuery) (BookingPage, error) {
	if actor.Anonymous() {
		return BookingPage{}, apperr.New(apperr.Unauthenticated, "listing your bookings needs an access token")
	}
	pq, err := clientPageQuery(actor.UserID, q)
	if err != nil {
		return BookingPage{}, err
	}
	pq.Now = s.clock()
	limit := pq.Limit
	pq.Limit++ // one more tells whether a next page exists
	list, err := s.store.ClientBookings(ctx, pq)
	if err != nil {
		return BookingPage{}, fmt.Errorf("list client bookings: %w", err)
	}
	page := BookingPage{Bookings: list}
	if len(list) > limit {
		page.Bookings = list[:limit]
		last := page.Bookings[limit-1]
		page.NextCursor = encodeCursor(pq.Past, BookingPlace{Start: last.Start, ID: last.ID})
	}
	return page, nil
}

// clientPageQuery checks q (400 naming the parameter at fault).
func clientPageQuery(clientID string, q ClientListQuery) (ClientPageQuery, error) {
	pq := ClientPageQuery{ClientID: clientID, Limit: q.Limit}
	switch q.When {
	case "", WhenUpcoming:
	case WhenPast:
		pq.Past = true
	default:
		return pq, apperr.Field(apperr.Invalid, "when", "when must be %s or %s, got %q", WhenUpcoming, WhenPast, q.When)
	}
	switch {
	case q.Limit == 0:
		pq.Limit = DefaultPageSize
	case q.Limit < 1 || q.Limit > MaxPageSize:
		return pq, apperr.Field(apperr.Invalid, "limit", "limit must be between 1 and %d, got %d", MaxPageSize, q.Limit)
	}
	if q.Cursor != "" {
		past, after, ok := decodeCursor(q.Cursor)
		if !ok {
			return pq, apperr.Field(apperr.Invalid, "cursor", "cursor is not one this list returned")
		}
		if past != pq.Past {
			return pq, apperr.Field(apperr.Invalid, "cursor", "cursor belongs to the other list (when=%s)", whenOf(past))
		}
		pq.After = after
	}
	return pq, nil
}

func whenOf(past bool) string {
	if past {
		return WhenPast
	}
	return WhenUpcoming
}

// encodeCursor returns the opaque cursor of a list's place: base64url of
// "<when>:<start in Unix microseconds>:<booking id>".
func encodeCursor(past bool, at BookingPlace) string {
	raw := whenOf(past) + ":" + strconv.FormatInt(at.Start.UnixMicro(), 10) + ":" + at.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(c string) (past bool, at BookingPlace, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return false, at, false
	}
	parts := strings.SplitN(string(raw), ":", 3)
	if len(parts) != 3 || (parts[0] != WhenUpcoming && parts[0] != WhenPast) || parts[2] == "" {
		return false, at, false
	}
	micros, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return false, at, false
	}
	return parts[0] == WhenPast, BookingPlace{Start: time.UnixMicro(micros).UTC(), ID: parts[2]}, true
}
