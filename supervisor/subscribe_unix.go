//go:build unix

package supervisor

import (
	"os/signal"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"

	"runp/internal/sigsub"
)

// subscription holds runp's signal channels (see sigsub.Channels) for a
// whole Run, across attempts, so that no signal is lost between two of them.
type subscription struct{ *sigsub.Channels }

// subscribe subscribes to the signals runp handles, in the background, or
// takes over the subscription that package early started while the
// program initialised (see sigsub). run waits for ready before it starts
// the command: from then on no signal can end runp and leave the command
// unsupervised (see endsRunp), and none that the runtime would drop
// unsubscribed (SIGUSR1, SIGALRM, the real-time signals...) is lost
// instead of forwarded. SIGPIPE is among them: a Go program dies of it
// when a write to its stdout finds the reader gone (runp -- yes | head -1),
// which would orphan the tree; subscribed, the write returns EPIPE instead
// and the stream passes the SIGPIPE on to the command. (Ignoring it would
// be inherited by the command across exec.)
//
// SIGCHLD, SIGWINCH and SIGCONT need nothing forwarded if they come while
// the command starts, so they are subscribed meanwhile, and what they would
// have said is caught up on then.
func subscribe() *subscription {
	c := sigsub.Take()
	if c == nil {
		c = sigsub.Subscribe()
	}
	return &subscription{c}
}

// stop unsubscribes in the background: signal.Stop waits for the runtime's
// signal thread, and the CLI exits right after Run anyway. A signal that
// arrives meanwhile is dropped, as one arriving during Run would have been
// handled.
func (sub *subscription) stop() {
	go sub.unsubscribe()
}

func (sub *subscription) unsubscribe() {
	<-sub.All
	signal.Stop(sub.Sigs)
	signal.Stop(sub.Chld)
}

// cancel undoes a subscription that no Run took (see Prepare): a signal
// that arrived meanwhile and would have ended the process by default is
// raised again, and ends it.
func (sub *subscription) cancel() {
	sub.unsubscribe()
	for {
		select {
		case sig := <-sub.Sigs:
			if ss := sig.(syscall.Signal); slices.Contains(endsRunp, ss) {
				_ = unix.Kill(unix.Getpid(), ss) // best effort
			}
		default:
			return
		}
	}
}
