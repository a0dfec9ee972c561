//go:build windows

package proc

import (
	"fmt"
	"unsafe"

	"github.com/shirou/gopsutil/v4/process"
	"golang.org/x/sys/windows"
)

// snapshot lists every process with its parent from one Toolhelp snapshot:
// Windows keeps no children list, so there is nothing narrower to ask.
func snapshot() ([]Proc, error) {
	named, err := namedSnapshot()
	if err != nil {
		return nil, err
	}
	out := make([]Proc, len(named))
	for i, p := range named {
		out[i] = Proc{PID: p.PID, PPID: p.PPID}
	}
	return out, nil
}

func tree(root int, start uint64) ([]Proc, error) {
	treeFallback.Store(true)
	rootID, err := read(root)
	if err != nil {
		return nil, err
	}
	if err := sameRoot(root, rootID.Start, start); err != nil {
		return nil, err
	}
	procs, err := snapshot()
	if err != nil {
		return nil, err
	}
	rootProc := Proc{PID: root, Start: rootID.Start}
	children := make(map[int][]Proc)
	for _, p := range procs {
		if p.PID == root {
			rootProc.PPID = p.PPID
			continue
		}
		children[p.PPID] = append(children[p.PPID], p)
	}
	// A PPID is the PID the parent had when the child was created; Windows
	// never updates it, so once the parent is gone it may name an unrelated
	// later process. A child is never older than its parent: an edge to an
	// older "child" is such a stale PPID and is cut.
	accept := func(parent Proc, c *Proc) bool {
		start, ppid, err := startAndParent(c.PID)
		if err != nil {
			return false // exited, or not ours to open
		}
		// The snapshot is older than the handle: if the PID was reused in
		// between, the process behind the handle names another parent.
		c.Start = start
		return ppid == parent.PID && c.Start >= parent.Start
	}
	return walk(rootProc, children, accept), nil
}

// cmdline leaves reading the command line out of the target's PEB to
// gopsutil. Only the Pid field is needed for it.
func cmdline(pid int) string {
	s, err := (&process.Process{Pid: int32(pid)}).Cmdline()
	if err != nil {
		return ""
	}
	return s
}

// startAndParent reads the creation time and the parent PID of pid through
// one process handle, so that both describe the same process.
func startAndParent(pid int) (start uint64, ppid int, err error) {
	h, err := openProcess(pid, windows.PROCESS_QUERY_LIMITED_INFORMATION)
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = windows.CloseHandle(h) }() // best effort: nothing to flush
	if start, err = startOf(h); err != nil {
		return 0, 0, err
	}
	var info windows.PROCESS_BASIC_INFORMATION
	if err := windows.NtQueryInformationProcess(h, windows.ProcessBasicInformation,
		unsafe.Pointer(&info), uint32(unsafe.Sizeof(info)), nil); err != nil {
		return 0, 0, fmt.Errorf("NtQueryInformationProcess %d: %w", pid, err)
	}
	return start, int(info.InheritedFromUniqueProcessId), nil
}
