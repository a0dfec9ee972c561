//go:build linux

package reaper

import (
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// noPidfd is set once pidfd_open has answered ENOSYS: the kernel is older
// than 5.3, or a seccomp profile (Docker's default on old versions) hides the
// call. It will not appear later, so stop asking.
var noPidfd atomic.Bool

func signal(id Identity, sig syscall.Signal) error {
	if !noPidfd.Load() {
		fd, err := unix.PidfdOpen(id.PID, 0)
		switch {
		case err == nil:
			defer func() { _ = unix.Close(fd) }() // best effort: nothing to flush
			return signalPidfd(fd, id, sig)
		case errors.Is(err, unix.ENOSYS):
			noPidfd.Store(true)
		case errors.Is(err, unix.ESRCH):
			return fmt.Errorf("pidfd_open: %w", ErrGone)
		case errors.Is(err, unix.EINVAL):
			// Before Linux 6.9 pidfd_open refuses a PID that is not a
			// thread-group leader: the PID was recycled as a thread.
			return fmt.Errorf("pidfd_open: pid is a thread now: %w", ErrReused)
		default:
			return fmt.Errorf("pidfd_open: %w", err)
		}
	}
	if err := verify(id); err != nil {
		return err
	}
	return sysErr("kill", unix.Kill(id.PID, sig))
}

// signalPidfd verifies id and signals through fd. The pidfd was opened before
// the check, so the process it refers to was born no later than the check; if
// /proc/<pid>/stat still shows id's start time at the check, the PID has not
// changed hands since id was recorded, hence fd is id's process. If the process
// dies after the check, pidfd_send_signal fails with ESRCH even if the PID has
// been reused meanwhile.
func signalPidfd(fd int, id Identity, sig syscall.Signal) error {
	if err := verify(id); err != nil {
		return err
	}
	return sysErr("pidfd_send_signal", unix.PidfdSendSignal(fd, sig, nil, 0))
}

// sysErr maps ESRCH to ErrGone.
func sysErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ESRCH):
		return fmt.Errorf("%s: %w", op, ErrGone)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}
