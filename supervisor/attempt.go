package supervisor

import (
	"fmt"
	"io"
	"os"
	"syscall"

	"runp/reaper"
)

// attempt is the state of one attempt that the platforms' sessions share.
type attempt struct {
	cfg         *Config
	act         *activity
	limit       Limit                // the limit that ended the attempt, if any
	stopDone    chan []reaper.Killed // stopTree's result
	hurry       chan struct{}        // closed to make stopTree skip the rest of its grace
	interrupted syscall.Signal       // a terminating signal runp received: no retry
	streams     []*stream            // output relays
	closers     []*os.File           // runp's ends of pipes, closed after the child starts
	hurried     int                  // terminating signals during the clean-up
	hurries     [2]chan struct{}     // closed by the first and the second of them
}

func newAttempt(c *Config) attempt {
	a := attempt{cfg: c, act: &activity{}, hurry: make(chan struct{}),
		hurries: [2]chan struct{}{make(chan struct{}), make(chan struct{})}}
	a.act.touch()
	return a
}

// output returns what the child writes to for w (see childOutput).
func (a *attempt) output(w io.Writer) (*os.File, error) {
	f, st, err := childOutput(w, a.cfg.IdleTimeout > 0, a.act, streamHooks{lost: a.lostOutput})
	if st != nil {
		a.closers = append(a.closers, f)
		a.streams = append(a.streams, st)
	}
	return f, err
}

// lostOutput says, once per Run, that the command's output could not be
// written and that the rest of it is discarded (see stream).
func (a *attempt) lostOutput(err error) {
	a.cfg.warned.output.Do(func() {
		fmt.Fprintf(a.cfg.Stderr, "runp: writing the command's output: %v; the rest of it is lost\n", err)
	})
}

// closePipes drops runp's copies of the child's ends of the pipes, so that
// EOF arrives when the command's side closes.
func (a *attempt) closePipes() {
	for _, f := range a.closers {
		_ = f.Close() // best effort
	}
	a.closers = nil
}

// beginStop records that limit ends the attempt and says why, and reports
// whether the stop is to start now (not when one is under way already).
// The platform's stopTree then shuts the tree down and sends what it
// killed on stopDone.
func (a *attempt) beginStop(limit Limit, why string) bool {
	if a.limit != "" {
		return false
	}
	a.limit = limit
	if why != "" {
		fmt.Fprintf(a.cfg.Stderr, "runp: %s; stopping the command\n", why)
	}
	a.stopDone = make(chan []reaper.Killed, 1)
	return true
}

// hurryStop makes a running stopTree skip the rest of its grace.
func (a *attempt) hurryStop() {
	select {
	case <-a.hurry:
	default:
		close(a.hurry)
	}
}

// interruptCleanUp takes a terminating signal that runp got once the
// command had exited: no retry after it, a limit's shutdown loses the rest
// of its grace, and tracking.cleanUp is hurried (the first signal turns
// waiting into killing, the second skips the grace).
func (a *attempt) interruptCleanUp(sig os.Signal) {
	if ss, ok := sig.(syscall.Signal); ok {
		a.interrupted = ss
	}
	if a.limit != "" {
		a.hurryStop()
	}
	if a.hurried < len(a.hurries) {
		close(a.hurries[a.hurried])
		a.hurried++
	}
}
