//go:build unix

package sigsub

import (
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
)

// Channels are one subscription's channels.
type Channels struct {
	// Sigs gets every forwarded signal, and SIGWINCH.
	Sigs chan os.Signal
	// Chld gets SIGCHLD.
	Chld chan os.Signal
	// Ready is closed once every forwarded signal but SIGCONT is
	// subscribed, All once every signal is.
	Ready, All chan struct{}
}

// Subscribe subscribes, in the background, every forwarded signal but
// SIGCONT, then SIGCHLD, then SIGWINCH and SIGCONT.
func Subscribe() *Channels {
	c := &Channels{Sigs: make(chan os.Signal, 64), Chld: make(chan os.Signal, 1),
		Ready: make(chan struct{}), All: make(chan struct{})}
	first := slices.DeleteFunc(forwarded(), func(sig os.Signal) bool { return sig == syscall.SIGCONT })
	go func() {
		defer close(c.All)
		signal.Notify(c.Sigs, first...)
		close(c.Ready)
		signal.Notify(c.Chld, syscall.SIGCHLD)
		signal.Notify(c.Sigs, syscall.SIGWINCH, syscall.SIGCONT)
	}()
	return c
}

// kept are the signals runp does not forward: those it needs itself
// (SIGCHLD; SIGWINCH, which becomes a resize of the PTY; the job-control
// stops, which stop runp and its job together), those the Go runtime keeps
// (SIGURG preempts goroutines, so runp gets many that nobody sent; SIGPROF
// is the profiler's, and the runtime drops it when not profiling) and those
// nothing can catch. See also reserved, per platform.
var kept = []syscall.Signal{syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, syscall.SIGWINCH,
	syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGURG, syscall.SIGPROF}

// forwarded lists the signals runp passes on to the command: every signal
// up to lastSignal but the kept and the reserved ones. SIGCONT is among
// them.
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

// started is the subscription Start made, until Take takes it.
var started struct {
	sync.Mutex
	c *Channels
}

// Start starts a subscription for the next Take.
func Start() {
	started.Lock()
	defer started.Unlock()
	if started.c == nil {
		started.c = Subscribe()
	}
}

// Take returns the subscription Start made, or nil, and makes it the
// caller's.
func Take() *Channels {
	started.Lock()
	defer started.Unlock()
	c := started.c
	started.c = nil
	return c
}
