package supervisor

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// platformFatal: SIGSTKFLT, which most Linux architectures have (not
// MIPS), makes the Go runtime crash.
var platformFatal = []syscall.Signal{unix.SignalNum("SIGSTKFLT")}
