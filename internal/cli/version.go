package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is the release version, set at build time with
// -ldflags "-X github.com/slotwise/slotwise/internal/cli.Version=v1.2.3".
var Version = "dev"

// versionCmd is `slotwise version`.
func versionCmd(_ context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "version", "version")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	rev, at, modified := vcsInfo()
	fmt.Fprintf(e.stdout, "slotwise %s\ngo: %s\nrevision: %s%s\n", Version, runtime.Version(), rev, modified)
	if at != "" {
		fmt.Fprintf(e.stdout, "committed: %s\n", at)
	}
	return 0
}

// vcsInfo returns the VCS revision the binary was built from, its commit
// time and " (modified)" for a dirty tree; "unknown" without VCS data (go
// run, go test).
func vcsInfo() (rev, at, modified string) {
	rev = "unknown"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return rev, "", ""
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (modified)"
			}
		}
	}
	return rev, at, modified
}
