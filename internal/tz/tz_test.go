package tz_test

import (
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/tz"
)

func TestLoadCachesZones(t *testing.T) {
	a, err := tz.Load("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	b, err := tz.Load("Europe/Berlin")
	if err != nil || a != b {
		t.Fatalf("second load: %p vs %p, %v; want the same location", a, b, err)
	}
	summer := time.Date(2026, 7, 1, 12, 0, 0, 0, a)
	if _, off := summer.Zone(); off != 2*3600 {
		t.Fatalf("Berlin in July is UTC+%d s, want +7200", off)
	}
	if _, err := tz.Load("Mars/Olympus_Mons"); err == nil {
		t.Fatal("an unknown zone loaded")
	}
}
