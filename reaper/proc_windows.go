//go:build windows

package reaper

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/shirou/gopsutil/v4/process"
	"golang.org/x/sys/windows"
)

// snapshot lists every process with its parent from one Toolhelp snapshot:
// Windows keeps no children list, so there is nothing narrower to ask.
func snapshot() ([]Proc, error) {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPPROCESS, 0)
	if err != nil {
		return nil, fmt.Errorf("CreateToolhelp32Snapshot: %w", err)
	}
	defer func() { _ = windows.CloseHandle(snap) }() // best effort: nothing to flush
	var e windows.ProcessEntry32
	e.Size = uint32(unsafe.Sizeof(e))
	var out []Proc
	for err = windows.Process32First(snap, &e); err == nil; err = windows.Process32Next(snap, &e) {
		out = append(out, Proc{PID: int(e.ProcessID), PPID: int(e.ParentProcessID)})
	}
	if !errors.Is(err, windows.ERROR_NO_MORE_FILES) {
		return nil, fmt.Errorf("Process32Next: %w", err)
	}
	return out, nil
}

func tree(root int) ([]Proc, error) {
	treeFallback.Store(true)
	rootID, err := read(root)
	if err != nil {
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
		id, err := read(c.PID)
		if err != nil {
			return false // exited, or not ours to open
		}
		c.Start = id.Start
		return c.Start >= parent.Start
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
