//go:build !unix

package supervisor

import (
	"fmt"
	"strings"
	"syscall"
)

// ParseSignal reads a signal name. Windows has no signals: runp maps TERM,
// INT and KILL to its own ways of stopping a process.
func ParseSignal(s string) (syscall.Signal, error) {
	switch strings.TrimPrefix(strings.ToUpper(s), "SIG") {
	case "TERM", "15":
		return syscall.SIGTERM, nil
	case "INT", "2":
		return syscall.SIGINT, nil
	case "KILL", "9":
		return syscall.SIGKILL, nil
	}
	return 0, fmt.Errorf("unknown signal %q (Windows knows TERM, INT and KILL)", s)
}

// SignalName names sig as runp reports it: "signal 15" (Windows has no
// names for them of its own).
func SignalName(sig syscall.Signal) string { return fmt.Sprintf("signal %d", int(sig)) }
