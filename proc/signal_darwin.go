//go:build darwin

package proc

import (
	"errors"
	"fmt"
	"os"
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

// ancestors returns the PIDs of this process's parent, its parent's parent,
// and so on up to launchd.
func ancestors() []int {
	var out []int
	for pid := os.Getppid(); pid > 0 && len(out) < 4096; {
		out = append(out, pid)
		k, err := readKinfo(pid)
		if err != nil {
			break
		}
		pid = int(k.Eproc.Ppid)
	}
	return out
}
