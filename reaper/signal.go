package reaper

import (
	"fmt"
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
//   - linux >= 5.3: a pidfd is opened first, the identity is checked, then the
//     signal goes through the pidfd. The pidfd stays bound to the process it
//     was opened on even if the PID is recycled, so no reuse can slip in
//     between the check and the kill. Older kernels (or seccomp filters that
//     answer ENOSYS) fall back to check-then-kill(2), which leaves a window of
//     a few microseconds in which the process could die, be reaped and its
//     PID be handed out again.
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
	if err := signal(id, sig); err != nil {
		return fmt.Errorf("signal %v to %v: %w", sig, id, err)
	}
	return nil
}
