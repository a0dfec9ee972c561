//go:build unix || windows

package supervisor

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"runp/reaper"
)

// The run loop of one attempt, the same on every platform. The platform
// files hold the primitives it drives: start the command (start), wait for
// it (child), pass a signal on (forward) or kill it (killCommand), the
// terminal (resize, suspend, resume, releaseTerminal), the job object
// (terminateJob, settleJob) and the end of the output (finish).

// escalateWindow: a second SIGTERM or SIGINT (on Windows, interrupt) this
// soon after the first, while the command still runs, means "stop now": the
// command is killed (on Windows, its job terminated). SIGHUP does not count:
// daemons reload on it, so it is forwarded every time.
const escalateWindow = 3 * time.Second

// Drain bounds: how long output may stay quiet, and how long it may go on at
// most, once the command has exited and a leftover process holds its output.
const (
	drainQuiet = 100 * time.Millisecond
	drainMax   = 2 * time.Second
)

// run is one attempt: start the command, supervise it until it exits, clean
// its tree up, and say how it ended.
func run(ctx context.Context, c *Config, sub *subscription) (outcome, error) {
	path, err := lookPath(c.Argv[0], c.Dir)
	if err != nil {
		return outcome{}, err
	}
	a := newAttempt(c)
	defer a.closeAll()
	ended, err := a.start(path, sub)
	if err != nil {
		return outcome{}, err
	}
	if ended != nil {
		return *ended, nil
	}
	return a.supervise(ctx, sub)
}

// lastStop is the last SIGINT or SIGTERM runp got, and when.
type lastStop struct {
	sig syscall.Signal
	at  time.Time
}

// deathSignal is the signal the kernel sends runp when its parent at
// start, parent, dies (PR_SET_PDEATHSIG); sig is 0 if none is set.
type deathSignal struct {
	sig    syscall.Signal
	parent int
}

// parentDeathRepeat tells a repeat of the stop signal that came because
// runp's parent died: a runp sets a parent-death signal (its stop signal)
// on its command, so a nested runp gets one. It comes once for every thread
// of the dead parent as each exits: runp is handed from the exiting thread
// to one still alive, with a signal each time, and only once the last one
// is gone does getppid name runp's new parent. Then the runp that adopts
// runp (a subreaper, often the outer runp) sends its own stop signal as it
// cleans up. All of these are one request to stop, not a user's second one.
// So a repeat of runp's parent-death signal, within escalateWindow, is
// dropped once runp's parent has changed since runp started; within
// parentDeathBurst of the first signal it waits for that change, which may
// still be under way. A runp without a parent-death signal never waits, and
// a repeat without a change of parent is a second request.
func (l *lastStop) parentDeathRepeat(sig syscall.Signal, death deathSignal) bool {
	if sig != l.sig || sig != death.sig || time.Since(l.at) >= escalateWindow {
		return false
	}
	end := l.at.Add(parentDeathBurst)
	for os.Getppid() == death.parent {
		if !time.Now().Before(end) {
			return false
		}
		time.Sleep(parentDeathPoll)
	}
	return true
}

// parentDeathBurst bounds the parent-death signals of one death: the dead
// parent's threads exit one after the other, on a loaded machine over tens
// of milliseconds. parentDeathPoll is how often runp looks at its parent
// meanwhile.
const (
	parentDeathBurst = 500 * time.Millisecond
	parentDeathPoll  = time.Millisecond
)

// supervise runs the loop of an attempt whose command has started: reap,
// pass signals on, fire limits, until the command exits; then clean the
// tree up and say how the attempt ended.
func (a *attemptState) supervise(ctx context.Context, sub *subscription) (outcome, error) {
	var last lastStop
	var early []os.Signal // signals that arrived after the child exited
	lim := watchLimits(ctx, a.cfg, a.act)
	defer lim.stop()
	all := sub.All
	for {
		select {
		case <-sub.Chld:
			a.reap()
		case <-all:
			// SIGCHLD and SIGWINCH are subscribed now: catch up on what
			// they would have said since the command started.
			all = nil
			a.resize()
			a.reap()
		case <-a.child.exited:
			return a.end(sub, early)
		case <-a.child.stopped:
			a.suspend()
		case sig := <-sub.Sigs:
			select {
			case <-a.child.exited:
				early = append(early, sig) // it is for the clean-up now
			default:
				a.handle(sig.(syscall.Signal), &last)
			}
		case l := <-lim.fired:
			a.stopTree(l.name, l.why)
		}
	}
}

// reap collects the exited children (on SIGCHLD) and, while the command
// runs, asks the reaper for a scan: something in the tree changed.
func (a *attemptState) reap() {
	a.child.reap()
	select {
	case <-a.child.exited: // the clean-up scans next
	default:
		a.track.wake()
	}
}

// handle answers one signal runp received while the command runs.
func (a *attemptState) handle(sig syscall.Signal, last *lastStop) {
	switch sig {
	case sigWinch:
		a.resize()
		return
	case sigCont:
		a.resume()
		return
	case syscall.SIGTERM, syscall.SIGINT:
		a.interrupted = sig
		if a.limit != "" {
			a.skipStopGrace() // a limit is stopping the tree already: SIGKILL now
			return
		}
		if last.parentDeathRepeat(sig, parentDeath) {
			a.cfg.Logger.Debug("parent-death signal repeated: dropped", "signal", SignalName(sig))
			return
		}
		now := time.Now()
		if last.sig != 0 && now.Sub(last.at) < escalateWindow {
			fmt.Fprintf(a.cfg.Stderr, "runp: %s: killing the command\n", escalation(last.sig, sig))
			a.killCommand()
			return
		}
		last.sig, last.at = sig, now
	case syscall.SIGHUP:
		a.interrupted = sig // a hangup is no reason to run the command again
	}
	a.forward(sig)
}

// end runs once the command has exited: the terminal goes back to the
// user, the tree is dealt with, the output drained.
func (a *attemptState) end(sub *subscription, early []os.Signal) (outcome, error) {
	a.releaseTerminal()
	killed := a.cleanUp(sub, early)
	if a.stopDone != nil {
		killed = append(<-a.stopDone, killed...)
	}
	ws, keyboard, err := a.finish()
	if err != nil {
		return outcome{killed: killed}, err
	}
	return outcome{ws: ws, killed: killed, limit: a.limit, interrupted: a.interrupted, keyboard: keyboard}, nil
}

// cleanUp deals with the descendants once the child has exited (see
// tracking.cleanUp), then gives what only the job object knows of the same
// fate, while runp goes on reaping and answering signals: the first SIGTERM
// or SIGINT hurries the clean-up, the second hurries it more. A SIGHUP
// turns OnExitWait into a kill, as they do, but never cuts a grace short.
// The command is gone: nothing else is forwarded.
func (a *attemptState) cleanUp(sub *subscription, early []os.Signal) []reaper.Killed {
	for _, sig := range early {
		a.handleDuringCleanUp(sig)
	}
	done := make(chan []reaper.Killed, 1)
	go func() {
		killed := a.track.cleanUp(a.signalled[0], a.signalled[1], a.child.reap, a.child.childless)
		a.settleJob(a.signalled[0])
		done <- killed
	}()
	for {
		select {
		case killed := <-done:
			return killed
		case <-sub.Chld:
			a.child.reap()
			a.track.wake()
		case sig := <-sub.Sigs:
			a.handleDuringCleanUp(sig)
		}
	}
}

// handleDuringCleanUp answers one signal runp received during the clean-up.
func (a *attemptState) handleDuringCleanUp(sig os.Signal) {
	switch sig {
	case sigWinch:
		a.resize()
	case syscall.SIGTERM, syscall.SIGINT:
		a.interruptCleanUp(sig)
	case syscall.SIGHUP:
		a.interrupted = syscall.SIGHUP
		if a.cfg.OnExit == OnExitWait && a.cleanUpSignals == 0 && a.limit == "" {
			a.interruptCleanUp(sig)
		}
	}
}
