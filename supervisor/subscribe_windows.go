//go:build windows

package supervisor

import (
	"os"
	"os/signal"
	"syscall"
)

// subscription holds runp's signal channel for a whole Run, across attempts.
// Windows has no SIGCHLD and nothing to subscribe later: Chld and All stay
// nil, and never fire in the run loop. (The names are sigsub.Channels', which
// the Unix subscription is.)
type subscription struct {
	Sigs chan os.Signal
	Chld chan os.Signal
	All  chan struct{}
}

func subscribe() *subscription {
	sub := &subscription{Sigs: make(chan os.Signal, 16)}
	signal.Notify(sub.Sigs, os.Interrupt, syscall.SIGTERM)
	return sub
}

func (sub *subscription) stop() { signal.Stop(sub.Sigs) }

// exitInterrupted is STATUS_CONTROL_C_EXIT, the exit code of a console
// program that Ctrl-C ended.
const exitInterrupted = 0xC000013A

// cancel undoes a subscription that no Run took (see Prepare): an interrupt
// that arrived meanwhile ends the process, as it would have by default.
func (sub *subscription) cancel() {
	sub.stop()
	select {
	case <-sub.Sigs:
		os.Exit(exitInterrupted)
	default:
	}
}
