//go:build unix && !linux

package supervisor

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// platformFatal: the BSDs' SIGEMT makes the Go runtime crash as SIGSYS does.
var platformFatal = []syscall.Signal{unix.SignalNum("SIGEMT")}
