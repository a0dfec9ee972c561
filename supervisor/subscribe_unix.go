//go:build unix

package supervisor

import (
	"os"
	"os/signal"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"
)

// subscription holds runp's signal channels for a whole Run, across
// attempts, so that no signal is lost between two of them.
type subscription struct {
	sigs, chld chan os.Signal
	ready      chan struct{} // closed once every forwarded signal but SIGCONT is subscribed
	all        chan struct{} // closed once every signal is
}

// subscribe subscribes to the signals runp handles, in the background.
// Each signal.Notify of a signal is a round trip to the Go runtime's signal
// thread (tens of microseconds each), so they are made while runp prepares
// the command (and, with Prepare, while the CLI parses its flags). run
// waits for ready before it starts the command: from then on no signal can
// end runp and leave the command unsupervised (see endsRunp), and none that
// the runtime would drop unsubscribed (SIGUSR1, SIGALRM, the real-time
// signals...) is lost instead of forwarded. SIGPIPE is among them: a Go
// program dies of it when a write to its stdout finds the reader gone
// (runp -- yes | head -1), which would orphan the tree; subscribed, the
// write returns EPIPE instead and the stream passes the SIGPIPE on to the
// command. (Ignoring it would be inherited by the command across exec.)
//
// SIGCHLD, SIGWINCH and SIGCONT need nothing forwarded if they come while
// the command starts, so they are subscribed meanwhile, and what they would
// have said is caught up on then.
func subscribe() *subscription {
	sub := &subscription{sigs: make(chan os.Signal, 64), chld: make(chan os.Signal, 1),
		ready: make(chan struct{}), all: make(chan struct{})}
	early := slices.DeleteFunc(forwarded(), func(sig os.Signal) bool { return sig == unix.SIGCONT })
	go func() {
		defer close(sub.all)
		signal.Notify(sub.sigs, early...)
		close(sub.ready)
		signal.Notify(sub.chld, unix.SIGCHLD)
		signal.Notify(sub.sigs, unix.SIGWINCH, unix.SIGCONT)
	}()
	return sub
}

// stop unsubscribes in the background: signal.Stop waits for the runtime's
// signal thread, and the CLI exits right after Run anyway. A signal that
// arrives meanwhile is dropped, as one arriving during Run would have been
// handled.
func (sub *subscription) stop() {
	go sub.unsubscribe()
}

func (sub *subscription) unsubscribe() {
	<-sub.all
	signal.Stop(sub.sigs)
	signal.Stop(sub.chld)
}

// cancel undoes a subscription that no Run took (see Prepare): a signal
// that arrived meanwhile and would have ended the process by default is
// raised again, and ends it.
func (sub *subscription) cancel() {
	sub.unsubscribe()
	for {
		select {
		case sig := <-sub.sigs:
			if ss := sig.(syscall.Signal); slices.Contains(endsRunp, ss) {
				_ = unix.Kill(unix.Getpid(), ss) // best effort
			}
		default:
			return
		}
	}
}
