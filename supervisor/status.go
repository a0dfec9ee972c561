package supervisor

import "syscall"

// exitCode is the one place that maps a wait status to runp's exit status:
// the command's own code, or 128+N when signal N killed it, as shells do.
func exitCode(ws syscall.WaitStatus) (code int, sig syscall.Signal) {
	switch {
	case ws.Exited():
		return ws.ExitStatus(), 0
	case ws.Signaled():
		return 128 + int(ws.Signal()), ws.Signal()
	}
	return ExitRunpFailed, 0
}
