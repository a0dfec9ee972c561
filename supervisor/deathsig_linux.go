//go:build linux

package supervisor

import (
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// parentDeath is runp's own parent-death signal, which its parent set (a
// runp does: see dieWithRunp), and that parent. The kernel keeps the signal
// for the thread that exec'd, the main thread, and gives none to the
// threads created since; and runp may have been re-parented by the time
// the command starts. Both are read when the package is initialised, which
// Go does on the main thread.
var parentDeath = readParentDeath()

func readParentDeath() deathSignal {
	var sig int32
	if err := unix.Prctl(unix.PR_GET_PDEATHSIG, uintptr(unsafe.Pointer(&sig)), 0, 0, 0); err != nil {
		return deathSignal{}
	}
	return deathSignal{sig: syscall.Signal(sig), parent: unix.Getppid()}
}

// dieWithRunp makes the command get the stop signal (--stop-signal,
// SIGTERM by default) the moment runp dies (PR_SET_PDEATHSIG), whatever
// kills runp: a runp killed with SIGKILL before its first session write (the
// state dir is opened lazily) would otherwise leave a command that nothing
// records, and with --no-pty no hang-up to end it. The stop signal rather
// than SIGKILL, as at clean-up: a nested runp that gets it stops its own
// tree and removes its session; a command that ignores it carries the
// cookie, which names the dead runp, and "runp reap" stops it (see
// reaper.NewSessionID), as it does the command's descendants.
//
// The kernel sends the signal when the thread that forked the child exits,
// not the process: a Go thread exits when a goroutine locked to it ends
// without unlocking (an embedding program may do that). So the fork is
// made by a goroutine of its own, locked to its thread, which then waits,
// parked, until the child has been reaped (unpin) and only then unlocks.
// The run loop itself stays free to move between threads: locked, every
// wake-up of the loop would hand the scheduler over to its thread and back.
// The signal is not inherited by the command's children, and is cleared
// when the command execs a set-user-ID program (sudo).
func dieWithRunp(cmd *command, sig syscall.Signal) (unpin func()) {
	if cmd.sys == nil {
		cmd.sys = &syscall.SysProcAttr{}
	}
	cmd.sys.Pdeathsig = sig
	cmd.pinned = make(chan struct{})
	return func() { close(cmd.pinned) }
}

// startPinned forks and execs the command from a thread that stays alive,
// locked, until cmd.pinned is closed.
func (cmd *command) startPinned() (int, error) {
	type forked struct {
		pid int
		err error
	}
	done := make(chan forked, 1)
	go func() {
		runtime.LockOSThread()
		pid, err := cmd.forkExec()
		done <- forked{pid, err}
		if err == nil {
			<-cmd.pinned
		}
		runtime.UnlockOSThread()
	}()
	f := <-done
	return f.pid, f.err
}
