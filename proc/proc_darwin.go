//go:build darwin

package proc

import (
	"fmt"

	"github.com/shirou/gopsutil/v4/process"
	"golang.org/x/sys/unix"
)

// snapshot returns every process of the machine in one sysctl; XNU has no
// per-process children list, so this is the cheapest way to a tree.
func snapshot() ([]unix.KinfoProc, error) {
	ks, err := unix.SysctlKinfoProcSlice("kern.proc.all")
	if err != nil {
		return nil, fmt.Errorf("sysctl kern.proc.all: %w", err)
	}
	return ks, nil
}

func tree(root int, start uint64) ([]Proc, error) {
	treeFallback.Store(true)
	ks, err := snapshot()
	if err != nil {
		return nil, err
	}
	var rootProc Proc
	found := false
	children := make(map[int][]Proc)
	for i := range ks {
		k := &ks[i]
		// e_ppid is the current parent; p_oppid is the original parent
		// of a traced process and is not wanted here.
		p := Proc{PID: int(k.Proc.P_pid), PPID: int(k.Eproc.Ppid), Start: kinfoStart(k)}
		if p.PID == root {
			rootProc, found = p, true
			continue
		}
		children[p.PPID] = append(children[p.PPID], p)
	}
	if !found {
		return nil, fmt.Errorf("tree of pid %d: %w", root, ErrGone)
	}
	if err := sameRoot(root, rootProc.Start, start); err != nil {
		return nil, err
	}
	return walk(rootProc, children, nil), nil
}

// cmdline leaves the KERN_PROCARGS2 parsing to gopsutil, which does it
// without cgo.
func cmdline(pid int) string {
	p := &process.Process{Pid: int32(pid)}
	s, err := p.Cmdline()
	if err != nil {
		return ""
	}
	return s
}
