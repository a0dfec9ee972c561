//go:build windows

package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/windows"
)

// openLockFile opens a session's lock file; with create it must not exist
// yet. It calls CreateFile itself for FILE_SHARE_DELETE, which os.OpenFile
// does not ask for: without it nobody could delete the lock file while its
// owner (or a List probe) has it open, and Remove deletes it before it
// unlocks. A nil SECURITY_ATTRIBUTES makes the handle non-inheritable, so a
// child never inherits the lock.
func openLockFile(path string, create bool) (*os.File, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	mode := uint32(windows.OPEN_EXISTING)
	if create {
		mode = windows.CREATE_NEW
	}
	h, err := windows.CreateFile(p,
		windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, mode,
		windows.FILE_ATTRIBUTE_NORMAL|windows.FILE_FLAG_OPEN_REPARSE_POINT, // never follow a planted link
		0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}

// Every party locks the same single byte; LockFileEx may lock past EOF.
const lockBytes = 1

// tryLock takes an exclusive LockFileEx lock on f without blocking.
func tryLock(f *os.File) (bool, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	var lerr error
	err = rc.Control(func(fd uintptr) {
		ol := new(windows.Overlapped)
		lerr = windows.LockFileEx(windows.Handle(fd),
			windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, lockBytes, 0, ol)
	})
	switch {
	case err != nil:
		return false, fmt.Errorf("lock %s: %w", f.Name(), err)
	case lerr == nil:
		return true, nil
	case errors.Is(lerr, windows.ERROR_LOCK_VIOLATION):
		return false, nil
	}
	return false, &fs.PathError{Op: "LockFileEx", Path: f.Name(), Err: lerr}
}

// unlock releases a lock taken by tryLock.
func unlock(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return fmt.Errorf("unlock %s: %w", f.Name(), err)
	}
	var lerr error
	err = rc.Control(func(fd uintptr) {
		ol := new(windows.Overlapped)
		lerr = windows.UnlockFileEx(windows.Handle(fd), 0, lockBytes, 0, ol)
	})
	if err != nil {
		return fmt.Errorf("unlock %s: %w", f.Name(), err)
	}
	if lerr != nil {
		return &fs.PathError{Op: "UnlockFileEx", Path: f.Name(), Err: lerr}
	}
	return nil
}
