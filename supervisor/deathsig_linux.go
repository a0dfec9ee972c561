//go:build linux

package supervisor

import (
	"runtime"
	"syscall"
)

// dieWithRunp makes the command get the stop signal (--stop-signal,
// SIGTERM by default) the moment runp dies (PR_SET_PDEATHSIG), whatever
// kills runp: a runp killed with SIGKILL before its first session write (the
// state dir is opened lazily) would otherwise leave a command that nothing
// records, and with --no-pty no hang-up to end it. The stop signal rather
// than SIGKILL, as at clean-up: a nested runp that gets it stops its own
// tree and removes its session; a command that ignores it carries the
// cookie, which names the dead runp, and "runp reap" stops it (see
// reaper.Owner), as it does the command's descendants.
//
// The kernel sends the signal when the thread that forked the child exits,
// not the process: a Go thread exits when a goroutine locked to it ends
// without unlocking (an embedding program may do that). So the attempt's
// goroutine locks its thread before the fork and keeps it until the child
// has been reaped; unpin releases it. The signal is not inherited by the
// command's children, and is cleared when the command execs a set-user-ID
// program (sudo).
func dieWithRunp(cmd *command, sig syscall.Signal) (unpin func()) {
	if cmd.sys == nil {
		cmd.sys = &syscall.SysProcAttr{}
	}
	cmd.sys.Pdeathsig = sig
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}
