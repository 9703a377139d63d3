package bench

import (
	"runtime"
	"time"
)

// Machine describes where a benchmark ran.
type Machine struct {
	GOOS      string    `json:"goos"`
	GOARCH    string    `json:"goarch"`
	NumCPU    int       `json:"num_cpu"`
	GoVersion string    `json:"go_version"`
	Date      time.Time `json:"date"`
}

// ThisMachine returns the facts of the running machine at now.
func ThisMachine(now time.Time) Machine {
	return Machine{
		GOOS:      runtime.GOOS,
		GOARCH:    runtime.GOARCH,
		NumCPU:    runtime.NumCPU(),
		GoVersion: runtime.Version(),
		Date:      now.UTC().Truncate(time.Second),
	}
}
