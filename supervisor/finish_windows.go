//go:build windows

package supervisor

import (
	"fmt"
	"os"
	"time"

	"runp/reaper"
)

// cleanUp deals with the descendants once the child has exited (see
// tracking.cleanUp), then gives the job the same fate, while runp goes on
// answering signals: the first terminating signal hurries the clean-up, the
// second hurries it more.
func (s *session) cleanUp(sigs <-chan os.Signal, early []os.Signal) []reaper.Killed {
	onSignal := func(sig os.Signal) {
		if terminating(sig) {
			s.interruptCleanUp(sig)
		}
	}
	for _, sig := range early {
		onSignal(sig)
	}
	done := make(chan []reaper.Killed, 1)
	go func() {
		// Windows has no zombies: nothing to reap while waiting.
		killed := s.track.cleanUp(s.hurries[0], s.hurries[1], func() {}, func() bool { return false })
		s.settleJob(s.hurries[0])
		done <- killed
	}()
	for {
		select {
		case killed := <-done:
			return killed
		case sig := <-sigs:
			onSignal(sig)
		}
	}
}

// settleJob gives the processes that only the job knows of (those the
// reaper's snapshots could not link to the command) the fate --on-exit gave
// the tree.
func (s *session) settleJob(hurry <-chan struct{}) {
	if s.job == nil {
		return
	}
	switch s.cfg.OnExit {
	case OnExitLeave:
		// They must outlive runp, and runp's exit closes the job handle:
		// kill-on-close has to go first. They stay in a job that has no
		// limits any more, which they cannot leave and do not notice.
		if err := s.job.setKillOnClose(false); err != nil {
			fmt.Fprintf(s.cfg.Stderr, "runp: --on-exit leave: the processes left will end with runp: %v\n", err)
		}
	case OnExitWait:
		if s.job.waitEmpty(hurry, s.cfg.ReapInterval) {
			return
		}
		s.terminateJob()
	default:
		s.terminateJob()
	}
}

// finish runs once the child has exited and the tree is dealt with: stop
// the input, close the pseudo console, drain the output, give the console
// its modes back.
func (s *session) finish() {
	if s.pc != nil {
		// Quiet output first: the input relay may still have to carry the
		// console's answer to the pseudo console's cursor request.
		s.waitQuiet()
		s.con.stopInput()
		s.closeConsole()
	}
	for _, st := range s.streams {
		st.drain(drainQuiet, drainMax)
	}
	if s.con != nil {
		s.con.close()
	}
}

// waitQuiet waits until the output has been quiet for drainQuiet, at most
// drainMax: conhost paints what the command wrote a frame later, and what
// it has not painted when its pseudo console closes may be lost.
func (s *session) waitQuiet() {
	deadline := time.Now().Add(drainMax)
	for {
		quiet := time.Since(s.act.since())
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
func (s *session) closeConsole() {
	closed := make(chan struct{})
	go func() {
		s.pc.CloseConsole()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(drainMax):
		s.cfg.Logger.Debug("ClosePseudoConsole has not returned; stopping its conhost")
	}
	for _, k := range reaper.StopConhosts(s.conhosts, conhostGrace) {
		s.cfg.Logger.Debug("killed conhost", "pid", k.PID, "command", k.Command)
	}
}

// closeAll releases everything on every exit path, including a failed start
// and a panic: the console's modes first, then the job, whose kill-on-close
// ends a tree still running on an error path.
func (s *session) closeAll() {
	if s.con != nil {
		s.con.close()
	}
	if s.job != nil {
		if err := s.job.close(); err != nil {
			s.cfg.Logger.Debug("job", "err", err)
		}
	}
	if s.child != nil {
		s.child.close()
	}
	if s.pc != nil {
		_ = s.pc.Close() // best effort: the process has exited
	}
	for _, f := range s.closers {
		_ = f.Close() // best effort
	}
}
