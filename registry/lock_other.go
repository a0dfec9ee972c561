//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris || windows)

package registry

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// errNoLocks is returned where no exclusive, per-open-file lock is
// available (aix, plan9, js, wasip1): without one liveness cannot be proven.
var errNoLocks = fmt.Errorf("registry: session locks on %s: %w", runtime.GOOS, errors.ErrUnsupported)

func openLockFile(path string, create bool) (*os.File, error) {
	flag := os.O_RDWR
	if create {
		flag |= os.O_CREATE | os.O_EXCL
	}
	return os.OpenFile(path, flag, 0o600)
}

func tryLock(*os.File) (bool, error) { return false, errNoLocks }

func unlock(*os.File) error { return nil }
