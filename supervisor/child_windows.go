//go:build windows

package supervisor

import (
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/sys/windows"
)

// child is runp's direct child on Windows. runp holds a handle to it from
// its start to the end of the run: while any handle is open, Windows does
// not give the PID to another process, so the PID, and the process group id
// that Ctrl-Break goes to (the group leader's PID), name this process and
// nothing else, even after it has exited. Waiting is a WaitForSingleObject on
// that handle: there are no zombies to reap and no wait4 to share.
type child struct {
	pid    int
	h      windows.Handle
	log    *slog.Logger
	exited chan struct{} // closed once the process has exited
	// stopped stays nil: a Windows process does not stop (Ctrl-Z).
	stopped chan struct{}
	code    uint32 // its exit code, once exited is closed
	err     error  // set when the wait itself failed
}

// newChild takes a handle of its own on process (which the caller keeps or
// closes as it pleases) and starts waiting for it.
func newChild(pid int, process windows.Handle, log *slog.Logger) (*child, error) {
	var h windows.Handle
	self := windows.CurrentProcess()
	if err := windows.DuplicateHandle(self, process, self, &h, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		return nil, fmt.Errorf("DuplicateHandle: %w", err)
	}
	c := &child{pid: pid, h: h, log: log, exited: make(chan struct{})}
	go c.wait()
	return c, nil
}

func (c *child) wait() {
	defer close(c.exited)
	ev, err := windows.WaitForSingleObject(c.h, windows.INFINITE)
	if err != nil || ev != windows.WAIT_OBJECT_0 {
		c.err = fmt.Errorf("wait for pid %d: WaitForSingleObject = %#x: %v", c.pid, ev, err)
		return
	}
	if err := windows.GetExitCodeProcess(c.h, &c.code); err != nil {
		c.err = fmt.Errorf("pid %d: GetExitCodeProcess: %w", c.pid, err)
		return
	}
	c.log.Debug("child exited", "pid", c.pid, "status", c.code)
}

// done reports whether the process has exited.
func (c *child) done() bool {
	select {
	case <-c.exited:
		return true
	default:
		return false
	}
}

// reap does nothing: Windows has no zombies, nothing to collect.
func (c *child) reap() {}

// childless is false: runp is no subreaper on Windows.
func (c *child) childless() bool { return false }

// ctrlBreak sends CTRL_BREAK_EVENT to the child's process group: the child
// and the processes it started that share runp's console. It works only
// when runp has a console and the child was started with
// CREATE_NEW_PROCESS_GROUP (--no-pty).
func (c *child) ctrlBreak() error {
	if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(c.pid)); err != nil {
		return fmt.Errorf("GenerateConsoleCtrlEvent: %w", err)
	}
	c.log.Debug("signalled", "pid", c.pid, "event", "CTRL_BREAK_EVENT")
	return nil
}

// terminate ends the child with exitCodeKilled; nothing runs in it, no
// handler, no clean-up. The handle pins the process, so this can never hit
// another one.
func (c *child) terminate() error {
	if c.done() {
		return nil
	}
	if err := windows.TerminateProcess(c.h, exitCodeKilled); err != nil {
		if c.done() {
			return nil // it exited meanwhile: access denied on a dying process
		}
		return fmt.Errorf("TerminateProcess: %w", err)
	}
	c.log.Debug("terminated", "pid", c.pid, "code", exitCodeKilled)
	return nil
}

// close releases the handle. A child still running (an error path) is
// terminated first; the handle is only closed once the wait has returned,
// since closing a handle that a wait is blocked on is undefined behaviour.
func (c *child) close() {
	if !c.done() {
		_ = c.terminate() // best effort: the job's kill-on-close is the backstop
		select {
		case <-c.exited:
		case <-time.After(killWaitMax):
			c.log.Debug("child did not exit; its handle is left open", "pid", c.pid)
			return
		}
	}
	_ = windows.CloseHandle(c.h) // best effort: nothing to flush
}

// killWaitMax bounds the wait for a terminated process to be gone: a
// process blocked in a driver ends only when the driver lets it.
const killWaitMax = 5 * time.Second
