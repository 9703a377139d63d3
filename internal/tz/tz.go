// Package tz loads IANA time zones once per process. time.LoadLocation
// reads and parses the zone's file on every call, which made it the
// largest cost of the booking pages (their zone picker names forty zones)
// and a noticeable one of every slot search; zones do not change while a
// process runs (the database is embedded with time/tzdata).
//
// Validating zone names, and what a zone means to a business, belong to
// the services.
package tz

import (
	"sync"
	"time"
)

var cache sync.Map // name → *time.Location

// Load is time.LoadLocation, cached: a zone loads from its file once.
// Errors are not cached (an unknown name costs a lookup each time, as
// before).
func Load(name string) (*time.Location, error) {
	if loc, ok := cache.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	cache.Store(name, loc)
	return loc, nil
}
