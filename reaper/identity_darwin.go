//go:build darwin

package reaper

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

func read(pid int) (Identity, error) {
	boot, err := bootID()
	if err != nil {
		return Identity{}, err
	}
	k, err := readKinfo(pid)
	if err != nil {
		return Identity{}, err
	}
	return Identity{PID: pid, Start: kinfoStart(k), Boot: boot}, nil
}

func look(pid int) (sighting, error) {
	boot, err := bootID()
	if err != nil {
		return sighting{fd: -1}, err
	}
	k, err := readKinfo(pid)
	if err != nil {
		return sighting{fd: -1}, err
	}
	return sighting{id: Identity{PID: pid, Start: kinfoStart(k), Boot: boot}, ppid: int(k.Eproc.Ppid),
		zombie: k.Proc.P_stat == sZomb, fd: -1}, nil
}
