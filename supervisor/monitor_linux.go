//go:build linux

package supervisor

import (
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// selfExe is what the monitor is started from: runp's own binary, even if
// the file was replaced or removed since runp started.
func selfExe() string { return "/proc/self/exe" }

// jobAttr makes the command the PTY's foreground job, in a process group of
// its own (fd 1 is the PTY), and kills it if the monitor dies: runp's
// SIGKILL to the monitor reaches the command too.
func jobAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Foreground: true, Ctty: 1, Pdeathsig: syscall.SIGKILL}
}

// stopSelf stops runp with sig and returns once it is resumed, or at once
// if the kernel dropped sig (an orphaned process group). A kill(2) to
// itself would let the calling thread run on until another thread takes
// the signal; sent to the calling thread, the stop happens before the
// system call returns.
func stopSelf(sig syscall.Signal) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_ = unix.Tgkill(unix.Getpid(), unix.Gettid(), sig) // best effort
}
