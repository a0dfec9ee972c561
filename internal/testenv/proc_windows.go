package testenv

import (
	"time"

	"golang.org/x/sys/windows"
)

// ExitsWithin reports whether process pid exits within d. same tells
// whether pid still names the process meant (by its identity): a PID that
// names another process by now counts as exited.
func ExitsWithin(pid int, d time.Duration, same func() bool) bool {
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return true // no such process
	}
	defer func() { _ = windows.CloseHandle(h) }() // best effort: nothing to flush
	if !same() {
		return true // exited, and the PID reused
	}
	ev, err := windows.WaitForSingleObject(h, uint32(d.Milliseconds()))
	return err == nil && ev == windows.WAIT_OBJECT_0
}
