//go:build unix

package supervisor

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// ParseSignal reads a signal given as a name ("TERM", "SIGTERM", "term") or
// a number ("15").
func ParseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n < 65 {
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

// SignalName names sig as runp reports it: "SIGTERM", or "signal 40" for a
// real-time signal.
func SignalName(sig syscall.Signal) string {
	if name := unix.SignalName(sig); name != "" {
		return name
	}
	return "signal " + strconv.Itoa(int(sig)) // a real-time signal
}

// endsRunp are the signals that end a Go program that has not subscribed
// to them: SIGHUP, SIGINT and SIGTERM kill it, the others make the runtime
// crash with a stack dump (SIGSEGV, SIGBUS and SIGFPE too when they come
// from kill()). The runtime drops the rest (SIGUSR1, SIGALRM, the real-time
// signals...) until they are subscribed.
var endsRunp = append([]syscall.Signal{unix.SIGHUP, unix.SIGINT, unix.SIGTERM, unix.SIGQUIT,
	unix.SIGILL, unix.SIGTRAP, unix.SIGABRT, unix.SIGBUS, unix.SIGFPE, unix.SIGSEGV, unix.SIGSYS},
	platformFatal...)
