//go:build darwin

package reaper

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

func signal(id Identity, sig syscall.Signal) error {
	if err := verify(id); err != nil {
		return err
	}
	// XNU has no pidfd: the PID could change hands between the check above
	// and this call. That needs the process to exit and be reaped and the
	// PID to come around again within microseconds; XNU also hands out PIDs
	// sequentially, not lowest-free, which makes it rarer still.
	err := unix.Kill(id.PID, sig)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ESRCH):
		return fmt.Errorf("kill: %w", ErrGone)
	default:
		return fmt.Errorf("kill: %w", err)
	}
}
