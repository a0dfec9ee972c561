package proc

import (
	"errors"
	"fmt"
	"strings"
)

// FindByEnv returns the identities of the processes whose environment holds
// exactly the entry key=value: "RUNP_SESSION=ab" does not match a search for
// "RUNP_SESSION=a". It reads the environment of every process on the machine
// the caller may read, so it is O(machine): runp calls it at exit and in crash
// recovery only, never per tick. Processes of other users are skipped unless
// running as root (or as an administrator on Windows), and so are unreadable
// ones, and so is the calling process itself. On linux and darwin the environment
// is the block the process was started with, as it lies in its memory now:
// setenv and unsetenv leave it alone, but a program that reuses that memory
// for a process title (nginx, PostgreSQL) overwrites it and is not found.
//
// Each identity was read consistently with the environment it matched, so the
// caller can pass it to Signal safely.
//
//   - linux: /proc/<pid>/environ, with a /proc/<pid> directory fd held so that
//     the stat and environ read belong to one process even if a PID is
//     recycled mid-scan.
//   - darwin: sysctl kern.procargs2 for each process of one kern.proc.all list.
//   - windows: the environment block of each process, read from its PEB.
func FindByEnv(key, value string) ([]Identity, error) {
	if key == "" || strings.ContainsAny(key, "=\x00") || strings.ContainsRune(value, 0) {
		return nil, fmt.Errorf("find by env %q: %w", key, errBadKey)
	}
	return findByEnv(key + "=" + value)
}

var errBadKey = errors.New("key must be non-empty and hold no '=' or NUL")
