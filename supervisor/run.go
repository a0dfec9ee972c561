package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"runp/reaper"
)

// Run runs the command described by cfg until it exits, and again on failure
// as cfg.Retries allows, and returns how it ended. Cancelling ctx shuts the
// tree down as Config.Timeout does; Run then returns ctx's error with exit
// status 124. Any other error means the command could not be run as asked:
// Result.ExitCode is then 125, 126 or 127 (see StartError).
//
// Run affects the whole process, not only the command:
//   - Signals. From its start (or Prepare's) until it returns, Run
//     subscribes (os/signal.Notify) to every signal it forwards to the
//     command, on Unix every catchable one but the job-control stops and
//     those the Go runtime keeps (SIGURG, SIGPROF), and to SIGCHLD and
//     SIGWINCH; on Windows
//     os.Interrupt and SIGTERM: the program's own handlers for them miss
//     what arrives meanwhile, and a SIGINT or SIGTERM no longer ends the
//     program but the command (a second within 3 s kills it). Run
//     releases them in the background as it returns.
//   - Unix terminal: with Interactive, Stdin's terminal is in raw mode
//     while the command runs (restored on every way out); SIGTTOU is
//     ignored for a moment when Run takes the terminal's foreground back
//     after a NoPTY command or a Ctrl-Z; Run may stop itself with SIGTSTP
//     when the command stops (Ctrl-Z) at an interactive terminal.
//   - Linux: with Subreaper, this process becomes a child subreaper for
//     good (PR_SET_CHILD_SUBREAPER) and Run reaps any child it is given
//     (see Config.Subreaper). The command is started with
//     PR_SET_PDEATHSIG (StopSignal when this process dies), which the
//     kernel ties to the forking thread: Run forks from a goroutine of its
//     own, locked to its OS thread until the command has been reaped. The
//     process's own parent-death signal, if its parent set one, is read
//     when the package is initialised (see parentDeath).
//   - Windows: in PTY mode, VT processing is on for a console Stdout while
//     the command runs (the pseudo console's output needs it); with
//     Interactive, a console Stdin is in raw mode meanwhile.
//   - State dir: Run records the session there, and with RecoverDead
//     cleans up the sessions of runps that died (see Config.RecoverDead).
//
// Prepare moves the signal subscription earlier, before Run.
func Run(ctx context.Context, cfg Config) (Result, error) {
	c := cfg.withDefaults()
	res := Result{Started: time.Now()}
	if err := c.check(); err != nil {
		res.ExitCode, res.Ended = ExitRunpFailed, time.Now()
		return res, &StartError{Code: ExitRunpFailed, Err: err}
	}
	sub := takePrepared()
	if sub == nil {
		sub = subscribe()
	}
	defer sub.stop()
	for n := 1; ; n++ {
		a := Attempt{Started: time.Now()}
		out, err := run(ctx, &c, sub)
		a.Ended = time.Now()
		a.Seconds = a.Ended.Sub(a.Started).Seconds()
		if err != nil {
			res.ExitCode, res.Signal, res.Keyboard = ExitRunpFailed, 0, false // not an earlier attempt's
			var se *StartError
			if errors.As(err, &se) {
				res.ExitCode = se.Code
			}
			a.ExitCode = res.ExitCode
			res.Attempts = append(res.Attempts, a)
			res.Ended = a.Ended
			return res, err
		}
		a.ExitCode, res.Signal = exitCode(out.ws)
		res.Keyboard = res.Signal != 0 && out.keyboard
		a.Signal = res.Signal
		a.Limit, a.Killed = out.limit, out.killed
		if a.Killed == nil {
			a.Killed = []reaper.Killed{}
		}
		if a.Limit != "" {
			a.ExitCode = ExitTimeout
		}
		res.Attempts = append(res.Attempts, a)
		res.ExitCode, res.Ended = a.ExitCode, a.Ended
		if a.Limit == LimitCancelled {
			return res, ctx.Err()
		}
		if a.ExitCode == 0 || n > c.Retries || out.interrupted != 0 || sub.interrupt() != nil {
			return res, nil
		}
		fmt.Fprintf(c.Stderr, "runp: attempt %d/%d after %s\n", n+1, c.Retries+1, failure(a))
		if !pause(ctx, c.RetryDelay, sub) {
			return res, nil
		}
	}
}

// prepared is the subscription made by Prepare, until a Run takes it.
var prepared struct {
	sync.Mutex
	sub *subscription
}

// Prepare starts, in the background, the work every Run begins with:
// subscribing to the signals Run handles, which takes the Go runtime about
// a millisecond (a round trip per signal), and reading this process's own
// identity, which every session id names (reaper.NewSessionID). When the
// program imports runp/internal/sigsub/early (the runp command does), the
// subscription started while the program initialised, and Prepare takes it
// over. A program calls it as early as it can, before work of its own such
// as parsing its command line, and the next Run finds the subscription made
// or under way. The returned function undoes it when no
// Run is coming after all: a signal that arrived meanwhile and would have
// ended the process by default then ends it. Calling it after Run, or
// twice, does nothing.
func Prepare() (cancel func()) {
	sub := subscribe()
	go reaper.Prime() // the session id names this process: read it meanwhile too
	prepared.Lock()
	old := prepared.sub
	prepared.sub = sub
	prepared.Unlock()
	if old != nil {
		old.cancel()
	}
	return func() {
		prepared.Lock()
		mine := prepared.sub == sub
		if mine {
			prepared.sub = nil
		}
		prepared.Unlock()
		if mine {
			sub.cancel()
		}
	}
}

// takePrepared returns Prepare's subscription, if one is waiting, and
// makes it Run's.
func takePrepared() *subscription {
	prepared.Lock()
	defer prepared.Unlock()
	sub := prepared.sub
	prepared.sub = nil
	return sub
}

// failure says why an attempt failed, for the retry message.
func failure(a Attempt) string {
	switch {
	case a.Limit == LimitTimeout:
		return "timeout"
	case a.Limit == LimitIdle:
		return "idle timeout"
	case a.Signal != 0:
		return "signal " + SignalName(a.Signal)
	}
	return fmt.Sprintf("exit status %d", a.ExitCode)
}

// pause waits d before a retry; it reports false when runp was told to stop
// meanwhile (a terminating signal, or ctx).
func pause(ctx context.Context, d time.Duration, sub *subscription) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		case sig := <-sub.Sigs:
			if terminating(sig) {
				return false
			}
		}
	}
}

// interrupt returns a terminating signal that arrived between attempts, if
// any; other signals are dropped, as nothing runs to receive them.
func (sub *subscription) interrupt() os.Signal {
	for {
		select {
		case sig := <-sub.Sigs:
			if terminating(sig) {
				return sig
			}
		default:
			return nil
		}
	}
}

// terminating reports whether sig asks runp to stop.
func terminating(sig os.Signal) bool {
	return sig == syscall.SIGTERM || sig == syscall.SIGINT || sig == syscall.SIGHUP
}
