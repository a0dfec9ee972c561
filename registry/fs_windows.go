//go:build windows

package registry

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/windows"
)

// renameRetryFor bounds how long rename waits out a reader that holds the
// target open.
const renameRetryFor = 2 * time.Second

// readFile reads a session file, opening it with FILE_SHARE_DELETE so that
// its owner can rename a new version over it while we read; os.ReadFile
// would make that rename fail.
func readFile(path string) ([]byte, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(h), path)
	defer func() { _ = f.Close() }() // best effort: read-only
	return readBounded(f)
}

// rename replaces to with from. Within one directory it goes through
// os.Root, whose Rename asks for POSIX semantics (FILE_RENAME_POSIX_SEMANTICS,
// Windows 10 1607 and later, on NTFS): the name then passes to the new file
// at once even while a reader (readFile, with FILE_SHARE_DELETE) has the old
// one open. os.Rename's MoveFileEx does not: it fails with
// ERROR_ACCESS_DENIED while anybody has the target open, and with
// ERROR_SHARING_VIOLATION while anybody has the source open without
// FILE_SHARE_DELETE (antivirus, indexers). Where POSIX semantics are missing
// (FAT, older Windows, wine) Root.Rename falls back to the classic rename;
// the opens that block it are short, so it is retried for a bounded time,
// as cmd/go's robustio does.
func rename(from, to string) error {
	deadline := time.Now().Add(renameRetryFor)
	delay := time.Millisecond
	for {
		err := renameOnce(from, to)
		if err == nil || !transient(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(delay)
		delay = min(2*delay, 50*time.Millisecond)
	}
}

func renameOnce(from, to string) error {
	dir := filepath.Dir(to)
	if filepath.Dir(from) != dir {
		return os.Rename(from, to)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer func() { _ = root.Close() }() // best effort: a directory handle
	return root.Rename(filepath.Base(from), filepath.Base(to))
}

func transient(err error) bool {
	return errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION)
}
