//go:build unix && !linux

package supervisor

import (
	"os"
	"syscall"
)

// selfExe is what the monitor is started from: runp's own binary.
func selfExe() string {
	path, err := os.Executable()
	if err != nil {
		return ""
	}
	return path
}

// jobAttr makes the command the PTY's foreground job, in a process group of
// its own (fd 1 is the PTY).
func jobAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Foreground: true, Ctty: 1}
}

// stopSelf stops runp with sig; it may return a moment before the stop
// takes hold (no thread-directed kill here).
func stopSelf(sig syscall.Signal) {
	_ = syscall.Kill(os.Getpid(), sig) // best effort
}
