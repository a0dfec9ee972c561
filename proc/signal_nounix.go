//go:build !linux && !darwin

package proc

import (
	"strconv"
	"syscall"
)

// SignalName names the signals runp uses; Windows has none to report.
func SignalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return "signal " + strconv.Itoa(int(sig))
}

// Continue: Windows has no stopped state to wake from.
func Continue(Identity) {}
