//go:build !unix

package app

// lockDataDir is a no-op where flock is not available; do not run two
// processes on one data dir there.
func lockDataDir(string) (func(), error) { return func() {}, nil }
