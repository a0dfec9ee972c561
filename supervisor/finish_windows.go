//go:build windows

package supervisor

import (
	"fmt"
	"syscall"
	"time"

	"runp/reaper"
)

// settleJob gives the processes that only the job knows of (those the
// reaper's snapshots could not link to the command) the fate --on-exit gave
// the tree.
func (a *attemptState) settleJob(signalled <-chan struct{}) {
	if a.job == nil {
		return
	}
	switch a.cfg.OnExit {
	case OnExitLeave:
		// They must outlive runp, and runp's exit closes the job handle:
		// kill-on-close has to go first. They stay in a job that has no
		// limits any more, which they cannot leave and do not notice.
		if err := a.job.setKillOnClose(false); err != nil {
			fmt.Fprintf(a.cfg.Stderr, "runp: --on-exit leave: the processes left will end with runp: %v\n", err)
		}
	case OnExitWait:
		if a.job.waitEmpty(signalled, a.cfg.ReapInterval) {
			return
		}
		a.terminateJob()
	default:
		a.terminateJob()
	}
}

// finish runs once the child has exited and the tree is dealt with: it
// ends the output (see endOutput) and returns the command's exit code as its
// status; keyboard is always false (see Result.Keyboard).
func (a *attemptState) finish() (ws syscall.WaitStatus, keyboard bool, err error) {
	a.endOutput()
	if a.child.err != nil {
		return ws, false, a.child.err
	}
	return syscall.WaitStatus{ExitCode: a.child.code}, false, nil
}

// endOutput stops the input, closes the pseudo console, drains the output
// and gives the console its modes back.
func (a *attemptState) endOutput() {
	if a.pty != nil {
		// Quiet output first: the input relay may still have to carry the
		// console's answer to the pseudo console's cursor request.
		a.waitQuiet()
		a.con.stopInput()
		a.closeConsole()
	}
	for _, st := range a.streams {
		st.drain(drainQuiet, drainMax)
	}
	if a.con != nil {
		a.con.close()
	}
}

// waitQuiet waits until the output has been quiet for drainQuiet, at most
// drainMax: conhost paints what the command wrote a frame later, and what
// it has not painted when its pseudo console closes may be lost.
func (a *attemptState) waitQuiet() {
	deadline := time.Now().Add(drainMax)
	for {
		quiet := time.Since(a.act.since())
		left := time.Until(deadline)
		if quiet >= drainQuiet || left <= 0 {
			return
		}
		time.Sleep(min(drainQuiet-quiet, left)) // polling with a bound
	}
}

// closeConsole closes the pseudo console while its output is still being
// read (ClosePseudoConsole may wait for the last frame to be read), then
// makes sure its conhost.exe is gone: a conhost whose pseudo console is
// closed has no client left, and one that outlives the grace is killed,
// identity verified. A conhost runp did not create was never recorded, so
// it is never touched.
func (a *attemptState) closeConsole() {
	closed := make(chan struct{})
	go func() {
		a.pty.CloseConsole()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(drainMax):
		a.cfg.Logger.Debug("ClosePseudoConsole has not returned; stopping its conhost")
	}
	for _, k := range reaper.StopConhosts(a.conhosts, conhostGrace) {
		a.cfg.Logger.Debug("killed conhost", "pid", k.PID, "command", k.Command)
	}
}

// closeAll releases everything on every exit path, including a failed start
// and a panic: the console's modes first, then the job, whose kill-on-close
// ends a tree still running on an error path.
func (a *attemptState) closeAll() {
	if a.con != nil {
		a.con.close()
	}
	if a.job != nil {
		if err := a.job.close(); err != nil {
			a.cfg.Logger.Debug("job", "err", err)
		}
	}
	if a.child != nil {
		a.child.close()
	}
	if a.pty != nil {
		_ = a.pty.Close() // best effort: the process has exited
	}
	for _, f := range a.closers {
		_ = f.Close() // best effort
	}
}
