//go:build unix && !linux

package supervisor

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// lastSignal is the highest signal number.
const lastSignal = 31

// platformFatal: the BSDs' SIGEMT makes the Go runtime crash as SIGSYS does.
var platformFatal = []syscall.Signal{unix.SignalNum("SIGEMT")}

func reserved(syscall.Signal) bool { return false }
