package web

import (
	"slices"
	"time"

	"github.com/slotwise/slotwise/internal/tz"
)

// pickerZones are the zones the zone picker offers, by region; the page's
// current zone is added when it is not among them. The zone database has
// no list of its names, and 400 options help nobody.
var pickerZones = []zoneGroup{
	{"Europe", []string{
		"Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Madrid", "Europe/Paris",
		"Europe/Brussels", "Europe/Amsterdam", "Europe/Berlin", "Europe/Zurich", "Europe/Rome",
		"Europe/Vienna", "Europe/Prague", "Europe/Warsaw", "Europe/Stockholm", "Europe/Oslo",
		"Europe/Copenhagen", "Europe/Helsinki", "Europe/Athens", "Europe/Bucharest", "Europe/Kyiv",
		"Europe/Istanbul", "Europe/Moscow",
	}},
	{"Americas", []string{
		"America/St_Johns", "America/Halifax", "America/New_York", "America/Toronto", "America/Chicago",
		"America/Mexico_City", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Vancouver",
		"America/Anchorage", "Pacific/Honolulu", "America/Bogota", "America/Lima", "America/Caracas",
		"America/Santiago", "America/Argentina/Buenos_Aires", "America/Sao_Paulo",
	}},
	{"Africa", []string{
		"Africa/Casablanca", "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi",
	}},
	{"Asia", []string{
		"Asia/Jerusalem", "Asia/Riyadh", "Asia/Dubai", "Asia/Tehran", "Asia/Karachi", "Asia/Kolkata",
		"Asia/Kathmandu", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore", "Asia/Hong_Kong",
		"Asia/Shanghai", "Asia/Taipei", "Asia/Manila", "Asia/Seoul", "Asia/Tokyo",
	}},
	{"Pacific", []string{
		"Australia/Perth", "Australia/Adelaide", "Australia/Brisbane", "Australia/Sydney",
		"Pacific/Auckland", "Pacific/Fiji",
	}},
	{"Other", []string{"UTC"}},
}

type zoneGroup struct {
	Label string
	Zones []string
}

// zoneOption is one <option> of the zone picker.
type zoneOption struct {
	Value, Label string
	Selected     bool
}

// zoneOptionGroup is one <optgroup>.
type zoneOptionGroup struct {
	Label   string
	Options []zoneOption
}

// zoneOptions returns the picker's groups with current selected, labelled
// with their abbreviation at now ("Europe/Berlin (CET)").
func zoneOptions(current *time.Location, now time.Time) []zoneOptionGroup {
	out := make([]zoneOptionGroup, 0, len(pickerZones)+1)
	found := false
	for _, g := range pickerZones {
		og := zoneOptionGroup{Label: g.Label}
		for _, name := range g.Zones {
			loc, err := tz.Load(name)
			if err != nil {
				continue
			}
			sel := name == current.String()
			found = found || sel
			og.Options = append(og.Options, zoneOption{Value: name, Label: zoneLabel(loc, now), Selected: sel})
		}
		out = append(out, og)
	}
	if !found {
		cur := zoneOptionGroup{Label: "Current", Options: []zoneOption{{Value: current.String(), Label: zoneLabel(current, now), Selected: true}}}
		out = slices.Insert(out, 0, cur)
	}
	return out
}

// loadZone loads a zone named in a URL; "" and "Local" are not zones.
func loadZone(name string) (*time.Location, bool) {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, false
	}
	loc, err := tz.Load(name)
	return loc, err == nil
}
