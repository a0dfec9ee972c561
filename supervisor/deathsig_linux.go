//go:build linux

package supervisor

import (
	"runtime"
	"syscall"
)

// dieWithRunp makes the command get SIGKILL the moment runp dies
// (PR_SET_PDEATHSIG), whatever kills runp: a runp killed with SIGKILL
// before its first session write (the state dir is opened lazily) would
// otherwise leave a command that nothing records, and with --no-pty no
// hang-up to end it. Its descendants carry the cookie, which names runp:
// "runp reap" finds them (reaper.Owner).
//
// The kernel sends the signal when the thread that forked the child exits,
// not the process: a Go thread exits when a goroutine locked to it ends
// without unlocking (an embedding program may do that). So the attempt's
// goroutine locks its thread before the fork and keeps it until the child
// has been reaped; unpin releases it. The signal is not inherited by the
// command's children, and is cleared when the command execs a set-user-ID
// program (sudo).
func dieWithRunp(cmd *command) (unpin func()) {
	if cmd.sys == nil {
		cmd.sys = &syscall.SysProcAttr{}
	}
	cmd.sys.Pdeathsig = syscall.SIGKILL
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}
