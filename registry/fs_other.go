//go:build !windows

package registry

import "os"

// readFile reads a session file within maxFileSize. On Unix a reader never
// gets in a writer's way.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // best effort: read-only
	return readBounded(f)
}

// rename replaces to with from, atomically on one filesystem.
func rename(from, to string) error { return os.Rename(from, to) }
