//go:build unix || windows

package supervisor

import (
	"fmt"
	"io"
	"os"
	"syscall"

	"runp/reaper"
)

// attemptState is the state of one attempt, from the command's start to the
// clean-up of its tree: what every platform's run loop shares, and in
// osAttempt what only one platform's primitives know (the PTY or pseudo
// console, the job object, the job-control monitor).
type attemptState struct {
	cfg         *Config
	act         *activity
	child       *child
	track       *tracking
	limit       Limit                // the limit that ended the attempt, if any
	stopDone    chan []reaper.Killed // stopTree's result
	skipGrace   chan struct{}        // closed to make stopTree skip the rest of its grace
	interrupted syscall.Signal       // a terminating signal runp received: no retry
	streams     []*stream            // output relays
	closers     []*os.File           // runp's ends of pipes, closed after the child starts
	// cleanUpSignals counts the terminating signals during the clean-up;
	// signalled holds the channels the first and the second of them close
	// (see tracking.cleanUp).
	cleanUpSignals int
	signalled      [2]chan struct{}
	osAttempt
}

func newAttempt(c *Config) *attemptState {
	a := &attemptState{cfg: c, act: &activity{}, skipGrace: make(chan struct{}),
		signalled: [2]chan struct{}{make(chan struct{}), make(chan struct{})}}
	a.act.touch()
	return a
}

// output returns what the child writes to for w (see childOutput).
func (a *attemptState) output(w io.Writer) (*os.File, error) {
	f, st, err := childOutput(w, a.cfg.IdleTimeout > 0, a.act, streamHooks{lost: a.lostOutput})
	if st != nil {
		a.closers = append(a.closers, f)
		a.streams = append(a.streams, st)
	}
	return f, err
}

// lostOutput says, once per Run, that the command's output could not be
// written and that the rest of it is discarded (see stream).
func (a *attemptState) lostOutput(err error) {
	a.cfg.warned.output.Do(func() {
		fmt.Fprintf(a.cfg.Stderr, "runp: writing the command's output: %v; the rest of it is lost\n", err)
	})
}

// closePipes drops runp's copies of the child's ends of the pipes, so that
// EOF arrives when the command's side closes.
func (a *attemptState) closePipes() {
	for _, f := range a.closers {
		_ = f.Close() // best effort
	}
	a.closers = nil
}

// stopTree ends the attempt early (a limit fired): the whole tree, the
// command included, gets the stop signal, then SIGKILL after the grace,
// while the loop goes on reaping and answering signals. Where the platform
// has a job object, it is terminated last, as the backstop for what the
// reaper did not see.
func (a *attemptState) stopTree(limit Limit, why string) {
	if a.limit != "" {
		return // a stop is under way already
	}
	a.limit = limit
	if why != "" {
		fmt.Fprintf(a.cfg.Stderr, "runp: %s; stopping the command\n", why)
	}
	a.stopDone = make(chan []reaper.Killed, 1)
	go func() {
		killed := a.track.stop(a.skipGrace, a.child.reap)
		a.terminateJob()
		a.stopDone <- killed
	}()
}

// skipStopGrace makes a running stopTree skip the rest of its grace.
func (a *attemptState) skipStopGrace() {
	select {
	case <-a.skipGrace:
	default:
		close(a.skipGrace)
	}
}

// interruptCleanUp takes a terminating signal that runp got once the
// command had exited: no retry after it, a limit's shutdown loses the rest
// of its grace, and tracking.cleanUp is told (the first signal turns
// waiting into killing, the second skips the grace).
func (a *attemptState) interruptCleanUp(sig os.Signal) {
	if ss, ok := sig.(syscall.Signal); ok {
		a.interrupted = ss
	}
	if a.limit != "" {
		a.skipStopGrace()
	}
	if a.cleanUpSignals < len(a.signalled) {
		close(a.signalled[a.cleanUpSignals])
		a.cleanUpSignals++
	}
}
