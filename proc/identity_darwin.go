//go:build darwin

package proc

import (
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

var bootID = sync.OnceValues(func() (string, error) {
	// kern.bootsessionuuid is a fresh UUID per boot. kern.boottime is the
	// fallback only: macOS shifts it when the wall clock is stepped.
	if s, err := unix.Sysctl("kern.bootsessionuuid"); err == nil && s != "" {
		return s, nil
	}
	tv, err := unix.SysctlTimeval("kern.boottime")
	if err != nil {
		return "", fmt.Errorf("boot id: kern.boottime: %w", err)
	}
	return fmt.Sprintf("boottime-%d.%06d", tv.Sec, tv.Usec), nil
})

// kinfoStart converts p_starttime, a timeval, to unix microseconds.
func kinfoStart(k *unix.KinfoProc) uint64 {
	return uint64(k.Proc.P_starttime.Sec)*1e6 + uint64(k.Proc.P_starttime.Usec)
}

// readKinfo returns the kinfo_proc of pid. It uses the slice variant on
// purpose: for a missing pid kern.proc.pid succeeds with zero bytes, which
// SysctlKinfoProc reports as EIO but the slice variant as an empty slice.
func readKinfo(pid int) (*unix.KinfoProc, error) {
	ks, err := unix.SysctlKinfoProcSlice("kern.proc.pid", pid)
	if err != nil {
		return nil, fmt.Errorf("sysctl kern.proc.pid %d: %w", pid, err)
	}
	if len(ks) == 0 || int(ks[0].Proc.P_pid) != pid {
		return nil, fmt.Errorf("pid %d: %w", pid, ErrGone)
	}
	return &ks[0], nil
}

func look(pid int) (Sighting, error) {
	boot, err := bootID()
	if err != nil {
		return Sighting{fd: -1}, err
	}
	k, err := readKinfo(pid)
	if err != nil {
		return Sighting{fd: -1}, err
	}
	return Sighting{ID: Identity{PID: pid, Start: kinfoStart(k), Boot: boot}, PPID: int(k.Eproc.Ppid),
		Zombie: k.Proc.P_stat == sZomb, fd: -1}, nil
}

// sZomb is SZOMB from <sys/proc.h>: a process that exited and waits for its parent.
const sZomb = 5

// Exited reports whether pid is a zombie: dead, only waiting for its parent.
func Exited(pid int) bool {
	k, err := readKinfo(pid)
	return err == nil && k.Proc.P_stat == sZomb
}
