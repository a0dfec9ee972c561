package proc

import (
	"fmt"
	"os"
	"slices"
	"syscall"
)

// exitCodeSignalled is the exit code of a process Signal terminated on
// Windows, which has no signals to report instead.
const exitCodeSignalled = 1

// Signal sends sig to the process named by id only if it still is that
// process. It returns an error wrapping ErrGone if no process has id.PID any
// more, or ErrReused if the PID now belongs to another process; in both cases
// nothing is signalled. Signal 0 only checks, as kill(2) does.
//
// Whatever id says, Signal never sends a signal (other than 0) to PID 1, to
// this process or to one of its ancestors, and on linux never SIGKILL to a
// live runp (the same executable as this process): such calls fail with an
// error wrapping ErrProtected. This is the one function that signals recorded
// processes, so the rule covers the clean-up, crash recovery and runp reap.
//
//   - linux >= 5.3: if this process holds a pidfd on id (see Sighting.Hold,
//     opened when it first saw the process), the signal goes through it:
//     exact, whoever has the PID now. Otherwise a pidfd is opened,
//     checked, and the signal goes through it, so nothing can slip in
//     between the check and the kill; the check
//     is exact when id.Ino is known (pidfs, linux >= 6.9), else it compares
//     the start time, which a PID reused within the same clock tick passes.
//     Without pidfds (ENOSYS, or no descriptor left) runp checks, then
//     kill(2)s, which also leaves a window of a few microseconds in which the
//     process could die, be reaped and its PID be handed out again.
//   - darwin: check, then kill(2), with the same narrow window: XNU has no
//     pidfd.
//   - windows: there are no signals. A handle opened with OpenProcess pins the
//     process object (its PID cannot be recycled while the handle is open), the
//     creation time is checked through it, and any non-zero sig terminates the
//     process with TerminateProcess, exit code 1. Nothing runs in the target:
//     no handler, no clean-up.
func Signal(id Identity, sig syscall.Signal) error {
	if id.PID <= 0 {
		return fmt.Errorf("signal pid %d: %w", id.PID, ErrGone)
	}
	if sig != 0 {
		if err := protect(id.PID); err != nil {
			return fmt.Errorf("signal %v to %v: %w", sig, id, err)
		}
	}
	if err := signal(id, sig); err != nil {
		return fmt.Errorf("signal %v to %v: %w", sig, id, err)
	}
	return nil
}

// protect refuses pid when it is PID 1 (init: in a container, killing it
// kills everything), this process, or one of its ancestors (a shell, an outer
// runp): no session file may turn runp against them. A PID that merely
// equals an ancestor's is refused too, which errs on the safe side.
func protect(pid int) error {
	switch {
	case pid == 1:
		return fmt.Errorf("pid 1 is init: %w", ErrProtected)
	case pid == os.Getpid():
		return fmt.Errorf("pid %d is runp itself: %w", pid, ErrProtected)
	case slices.Contains(ancestors(), pid):
		return fmt.Errorf("pid %d is an ancestor of runp: %w", pid, ErrProtected)
	}
	return nil
}
