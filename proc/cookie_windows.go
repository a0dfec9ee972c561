//go:build windows

package proc

import (
	"os"
	"slices"

	"github.com/shirou/gopsutil/v4/process"
	"golang.org/x/sys/windows"
)

func findByEnv(entry string) ([]Identity, error) {
	boot, err := bootID()
	if err != nil {
		return nil, err
	}
	procs, err := snapshot()
	if err != nil {
		return nil, err
	}
	self := os.Getpid()
	var out []Identity
	for _, p := range procs {
		// PID 0 is the idle process and 4 the kernel's System process.
		if p.PID <= 4 || p.PID == self {
			continue
		}
		if start, ok := envMatch(p.PID, entry); ok {
			out = append(out, Identity{PID: p.PID, Start: start, Boot: boot})
		}
	}
	return out, nil
}

// envMatch holds a handle on pid while gopsutil reads the environment block
// from its PEB: the handle keeps the PID from being recycled, so the creation
// time read here and the environment read there belong to one process. Other
// users' processes fail to open for reading unless running as administrator.
func envMatch(pid int, entry string) (uint64, bool) {
	h, err := openProcess(pid, windows.PROCESS_QUERY_LIMITED_INFORMATION)
	if err != nil {
		return 0, false
	}
	defer func() { _ = windows.CloseHandle(h) }() // best effort: nothing to flush
	start, err := startOf(h)
	if err != nil {
		return 0, false
	}
	env, err := (&process.Process{Pid: int32(pid)}).Environ()
	if err != nil {
		return 0, false
	}
	return start, slices.Contains(env, entry)
}
