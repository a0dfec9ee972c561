//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// openLockFile opens a session's lock file; with create it must not exist
// yet. os.OpenFile sets O_CLOEXEC, so a child never inherits the lock.
// O_NOFOLLOW: a symlink planted in its place is an error, not a redirect.
func openLockFile(path string, create bool) (*os.File, error) {
	flag := os.O_RDWR | unix.O_NOFOLLOW
	if create {
		flag |= os.O_CREATE | os.O_EXCL
	}
	return os.OpenFile(path, flag, 0o600)
}

// tryLock takes an exclusive flock on f without blocking. flock, not fcntl:
// an fcntl lock belongs to the process and is dropped when any descriptor of
// the file is closed (a List probe in the owner would release its own lock);
// a flock lock belongs to the open file description.
func tryLock(f *os.File) (bool, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	var ferr error
	err = rc.Control(func(fd uintptr) {
		for {
			ferr = unix.Flock(int(fd), unix.LOCK_EX|unix.LOCK_NB)
			if !errors.Is(ferr, unix.EINTR) {
				return
			}
		}
	})
	switch {
	case err != nil:
		return false, fmt.Errorf("lock %s: %w", f.Name(), err)
	case ferr == nil:
		return true, nil
	case errors.Is(ferr, unix.EWOULDBLOCK):
		return false, nil
	}
	return false, &fs.PathError{Op: "flock", Path: f.Name(), Err: ferr}
}

// unlock releases a lock taken by tryLock.
func unlock(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return fmt.Errorf("unlock %s: %w", f.Name(), err)
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = unix.Flock(int(fd), unix.LOCK_UN) }); err != nil {
		return fmt.Errorf("unlock %s: %w", f.Name(), err)
	}
	if ferr != nil {
		return &fs.PathError{Op: "flock", Path: f.Name(), Err: ferr}
	}
	return nil
}
