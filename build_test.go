//go:build linux || windows

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// buildRunp builds the runp command as name in a new temporary directory,
// which the caller removes at the end, and returns its path; it ends the
// test binary if it cannot.
func buildRunp(name string) (path, dir string) {
	dir, err := os.MkdirTemp("", "runp-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	path = filepath.Join(dir, name)
	if out, err := exec.Command("go", "build", "-o", path, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building runp: %v\n%s", err, out)
		os.Exit(1)
	}
	return path, dir
}
