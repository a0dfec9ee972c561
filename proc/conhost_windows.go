//go:build windows

package proc

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// FindConhosts returns the identities of the conhost.exe processes that this
// process created at or after notBefore, a FILETIME (see SelectConhosts for
// why these, and only these, are its own). The caller reads notBefore with
// GetSystemTimeAsFileTime just before CreatePseudoConsole and calls
// FindConhosts just after it returns: CreatePseudoConsole starts its conhost
// before returning, so the conhost is in the snapshot.
//
// The coarse GetSystemTimeAsFileTime is the right clock for notBefore:
// whether the kernel stamps a process with the coarse or the precise system
// time, the stamp is never below a coarse reading taken earlier, while a
// precise reading could exceed a coarse stamp taken after it and lose the
// conhost. A wall clock set back between the two readings can still lose it;
// then the conhost is merely not recorded, which is the safe way to fail.
func FindConhosts(notBefore uint64) ([]Identity, error) {
	boot, err := bootID()
	if err != nil {
		return nil, err
	}
	procs, err := namedSnapshot()
	if err != nil {
		return nil, err
	}
	self := os.Getpid()
	for i := range procs {
		// Creation times are read for runp's own children only: opening
		// every process on the machine would make this O(machine) in
		// system calls, and SelectConhosts needs no others.
		if procs[i].PPID != self {
			continue
		}
		if id, err := read(procs[i].PID); err == nil {
			procs[i].Start = id.Start
		}
	}
	var out []Identity
	for _, p := range SelectConhosts(procs, self, notBefore) {
		out = append(out, Identity{PID: p.PID, Start: p.Start, Boot: boot})
	}
	return out, nil
}

// namedSnapshot lists every process with its parent and executable name
// from one Toolhelp snapshot (snapshot keeps PID and PPID); Start is left 0.
func namedSnapshot() ([]ProcInfo, error) {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPPROCESS, 0)
	if err != nil {
		return nil, fmt.Errorf("CreateToolhelp32Snapshot: %w", err)
	}
	defer func() { _ = windows.CloseHandle(snap) }() // best effort: nothing to flush
	var e windows.ProcessEntry32
	e.Size = uint32(unsafe.Sizeof(e))
	var out []ProcInfo
	for err = windows.Process32First(snap, &e); err == nil; err = windows.Process32Next(snap, &e) {
		out = append(out, ProcInfo{
			PID:  int(e.ProcessID),
			PPID: int(e.ParentProcessID),
			Name: windows.UTF16ToString(e.ExeFile[:]),
		})
	}
	if !errors.Is(err, windows.ERROR_NO_MORE_FILES) {
		return nil, fmt.Errorf("Process32Next: %w", err)
	}
	return out, nil
}
