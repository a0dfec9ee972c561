//go:build unix

package supervisor

import (
	"fmt"
	"os"
	"slices"
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

func signalName(sig syscall.Signal) string {
	if name := unix.SignalName(sig); name != "" {
		return name
	}
	return "signal " + strconv.Itoa(int(sig)) // a real-time signal
}

// kept are the signals runp does not forward: those it needs itself
// (SIGCHLD; SIGWINCH, which becomes a resize of the PTY; the job-control
// stops, which stop runp and its job together), those the Go runtime keeps
// (SIGURG preempts goroutines, so runp gets many that nobody sent; SIGPROF
// is the profiler's, and the runtime drops it when not profiling) and those
// nothing can catch. See also reserved, per platform.
var kept = []syscall.Signal{unix.SIGKILL, unix.SIGSTOP, unix.SIGCHLD, unix.SIGWINCH,
	unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU, unix.SIGURG, unix.SIGPROF}

// endsRunp are the signals that end a Go program that has not subscribed
// to them: SIGHUP, SIGINT and SIGTERM kill it, the others make the runtime
// crash with a stack dump (SIGSEGV, SIGBUS and SIGFPE too when they come
// from kill()). The runtime drops the rest (SIGUSR1, SIGALRM, the real-time
// signals...) until they are subscribed.
var endsRunp = append([]syscall.Signal{unix.SIGHUP, unix.SIGINT, unix.SIGTERM, unix.SIGQUIT,
	unix.SIGILL, unix.SIGTRAP, unix.SIGABRT, unix.SIGBUS, unix.SIGFPE, unix.SIGSEGV, unix.SIGSYS},
	platformFatal...)

// forwarded lists the signals runp passes on to the command: every signal
// up to lastSignal but the kept and the reserved ones. SIGCONT is among
// them (it also takes the terminal back, see session.handle).
func forwarded() []os.Signal {
	var out []os.Signal
	for n := 1; n <= lastSignal; n++ {
		sig := syscall.Signal(n)
		if !slices.Contains(kept, sig) && !reserved(sig) {
			out = append(out, sig)
		}
	}
	return out
}
