//go:build windows

package registry

import (
	"errors"
	"io/fs"
	"os"
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

// rename replaces to with from (MoveFileEx with MOVEFILE_REPLACE_EXISTING).
// It fails with ERROR_ACCESS_DENIED or ERROR_SHARING_VIOLATION while another
// process has the target open without FILE_SHARE_DELETE (antivirus, indexers,
// os.ReadFile). Those opens are short, so retry for a bounded time, as
// cmd/go's robustio does.
func rename(from, to string) error {
	deadline := time.Now().Add(renameRetryFor)
	delay := time.Millisecond
	for {
		err := os.Rename(from, to)
		if err == nil || !transient(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(delay)
		delay = min(2*delay, 50*time.Millisecond)
	}
}

func transient(err error) bool {
	return errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION)
}
