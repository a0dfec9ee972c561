//go:build !windows

package registry

import "os"

// readFile reads a session file. On Unix a reader never gets in a writer's way.
func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

// rename replaces to with from, atomically on one filesystem.
func rename(from, to string) error { return os.Rename(from, to) }
