//go:build windows

package proc

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/windows"
)

func signal(id Identity, sig syscall.Signal) error {
	boot, err := bootID()
	if err != nil {
		return err
	}
	h, err := openProcess(id.PID, windows.PROCESS_TERMINATE|windows.PROCESS_QUERY_LIMITED_INFORMATION)
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		// Not ours to terminate; but if the PID now names a stranger or
		// nobody, say that, since it is what the caller acts on.
		if verr := verify(id); verr != nil {
			return verr
		}
	}
	if err != nil {
		return err
	}
	defer func() { _ = windows.CloseHandle(h) }() // best effort: nothing to flush
	// From here the handle pins the process: its PID cannot be recycled
	// until the handle is closed, so the check and the kill see one process.
	start, err := startOf(h)
	if err != nil {
		return err
	}
	if start != id.Start || boot != id.Boot {
		return fmt.Errorf("now start %d boot %q: %w", start, boot, ErrReused)
	}
	if sig == 0 {
		return nil
	}
	if err := windows.TerminateProcess(h, exitCodeSignalled); err != nil {
		// A process already on its way out refuses with access denied.
		if _, serr := startOf(h); errors.Is(serr, ErrGone) {
			return fmt.Errorf("TerminateProcess: %w", ErrGone)
		}
		return fmt.Errorf("TerminateProcess: %w", err)
	}
	return nil
}

// ancestors returns the PIDs of this process's parent, its parent's parent,
// and so on. Windows never updates a parent PID, which may name a later
// process that took the PID of a dead parent: the chain stops at the first
// "parent" younger than its child.
func ancestors() []int {
	var out []int
	start, ppid, err := startAndParent(os.Getpid())
	for err == nil && ppid > 0 && len(out) < 4096 {
		pstart, pppid, perr := startAndParent(ppid)
		if perr != nil || pstart > start {
			break
		}
		out = append(out, ppid)
		start, ppid, err = pstart, pppid, nil
	}
	return out
}
