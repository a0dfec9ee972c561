//go:build unix

package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"runp/proc"
	"runp/pty"
	"runp/reaper"
)

// escalateWindow: a second SIGTERM or SIGINT this soon after the first,
// while the command still runs, means "stop now" and becomes SIGKILL. SIGHUP
// does not count: daemons reload on it, so it is forwarded every time.
const escalateWindow = 3 * time.Second

// lastStop is the last SIGINT or SIGTERM runp got, and when, and runp's
// parent when the attempt started.
type lastStop struct {
	sig    syscall.Signal
	at     time.Time
	parent int
}

// parentDeathRepeat tells a repeat of the same stop signal that the kernel
// sent because runp's parent died. The parent-death signal (PR_SET_PDEATHSIG,
// which a runp sets on its command, so a nested runp gets it) comes once
// for every thread of the dead parent as each exits, within microseconds:
// that is one request to stop, not a user's second one. A repeat after
// parentDeathBurst is somebody's second request, and escalates as usual.
func (l *lastStop) parentDeathRepeat(sig syscall.Signal, now time.Time) bool {
	return sig == l.sig && now.Sub(l.at) < parentDeathBurst && os.Getppid() != l.parent
}

// parentDeathBurst bounds the parent-death signals of one death: the dead
// parent's threads exit one after the other, on a loaded machine over a few
// milliseconds.
const parentDeathBurst = 250 * time.Millisecond

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
	// The cookie finds descendants that left the tree, even after runp died.
	id := reaper.NewSessionID(c.stateDir)
	cmd := &command{path: path, argv: c.Argv, env: withCookie(c.Env, id), dir: c.Dir}

	sigs, chld, all := sub.sigs, sub.chld, sub.all
	subreaper := false
	if c.Subreaper {
		if err := setSubreaper(); err != nil {
			c.Logger.Debug("subreaper unavailable", "err", err)
		} else {
			subreaper = true
		}
	}

	s := &session{attempt: newAttempt(c), cmd: cmd}
	defer s.closeAll()
	if err := s.wire(); err != nil {
		return outcome{}, &StartError{Code: ExitRunpFailed, Err: err}
	}
	<-sub.ready // no signal may find runp unprepared once the command runs
	if sig := sub.interrupt(); sig != nil {
		// It came while runp was getting ready (with Prepare, while the
		// flags were parsed): the command is not started, and the attempt
		// ends as the signal would have ended runp.
		ss := sig.(syscall.Signal)
		return outcome{ws: syscall.WaitStatus(ss), interrupted: ss}, nil
	}
	unpin := dieWithRunp(cmd, c.StopSignal) // until the child is reaped: run returns only then
	defer unpin()
	pid, err := cmd.start()
	if err == nil && s.mon != nil {
		err = s.mon.started(pid) // the monitor starts the command (see monitor)
	}
	if err != nil {
		return outcome{}, startFailure(c.Argv[0], err)
	}
	s.child = newChild(pid, subreaper, c.Logger)
	s.child.mon = s.mon
	s.afterStart() // starts the relays, which may signal the child
	c.Logger.Debug("spawned", "pid", pid, "argv", c.Argv, "session", id)
	root := pid
	if subreaper {
		root = os.Getpid() // orphans come back to runp
	}
	var job *proc.Identity
	if s.mon != nil {
		job = s.mon.job
	}
	s.track = startTracking(c, id, root, pid, s.mon != nil, job)
	s.child.reap() // it may have exited before SIGCHLD was wired

	last := lastStop{parent: os.Getppid()}
	var early []os.Signal // signals that arrived after the child exited
	lim := watchLimits(ctx, c, s.act)
	defer lim.stop()
	reap := func() {
		s.child.reap()
		select {
		case <-s.child.exited: // the clean-up scans next
		default:
			s.track.wake()
		}
	}
	for {
		select {
		case <-chld:
			reap()
		case <-all:
			// SIGCHLD and SIGWINCH are subscribed now: catch up on what
			// they would have said since the command started.
			all = nil
			if s.con != nil {
				s.con.resize()
			}
			reap()
		case <-s.child.exited:
			s.releaseTerminal()
			killed := s.cleanUp(sigs, chld, early)
			if s.stopDone != nil {
				killed = append(<-s.stopDone, killed...)
			}
			s.drain()
			ws := s.child.result()
			return outcome{ws: ws, killed: killed, limit: s.limit, interrupted: s.interrupted,
				keyboard: ws.Signaled() && s.con != nil && s.con.fromKeyboard(ws.Signal())}, nil
		case <-s.child.stopped:
			s.suspend()
		case sig := <-sigs:
			select {
			case <-s.child.exited:
				early = append(early, sig) // it is for the clean-up now
			default:
				s.handle(sig.(syscall.Signal), &last)
			}
		case l := <-lim.fired:
			s.stopTree(l.name, l.why)
		}
	}
}

// command is how the child is started. It is started with syscall.ForkExec
// rather than os/exec: exec.Cmd.Start probes the kernel's pidfd support on
// its first use, with an extra process created and reaped, which costs more
// than half a millisecond here on the path of every command; and runp waits
// with wait4 (see child), never through os.Process.
type command struct {
	path                  string
	argv, env             []string
	dir                   string
	stdin, stdout, stderr *os.File
	extra                 *os.File // fd 3, if not nil (the monitor's report)
	sys                   *syscall.SysProcAttr
	// pinned, when not nil, is closed once the child has been reaped: the
	// thread that forked it lives until then (see dieWithRunp).
	pinned chan struct{}
}

// start forks and execs the command and returns its PID.
func (cmd *command) start() (int, error) {
	if cmd.pinned != nil {
		return cmd.startPinned()
	}
	return cmd.forkExec()
}

func (cmd *command) forkExec() (int, error) {
	// Fd puts a file the poller holds back into blocking mode, as
	// os.StartProcess does: the child gets ordinary descriptors.
	files := []uintptr{cmd.stdin.Fd(), cmd.stdout.Fd(), cmd.stderr.Fd()}
	if cmd.extra != nil {
		files = append(files, cmd.extra.Fd())
	}
	pid, err := syscall.ForkExec(cmd.path, cmd.argv,
		&syscall.ProcAttr{Dir: cmd.dir, Env: cmd.env, Files: files, Sys: cmd.sys})
	runtime.KeepAlive(cmd) // the files stay open until the child has them
	return pid, err
}

// stopTree ends the attempt early (a limit fired): the whole tree, the
// command included, gets the stop signal, then SIGKILL after the grace,
// while the loop goes on reaping and answering signals.
func (s *session) stopTree(limit Limit, why string) {
	if !s.beginStop(limit, why) {
		return
	}
	go func() { s.stopDone <- s.track.stop(s.hurry, s.child.reap) }()
}

// session is the state of one attempt.
type session struct {
	attempt
	cmd     *command
	child   *child
	track   *tracking
	master  *os.File // the PTY, nil with --no-pty
	slave   *os.File // closed once the child holds it
	con     *console // nil unless runp's stdin is a terminal or a size source exists
	mon     *monitor // the job-control monitor that starts the command, or nil
	fgTaken bool     // --no-pty: the child's group holds the terminal's foreground
	fgJob   bool     // --no-pty: the child's group was given the foreground at start
	// screen follows the command's use of the alternate screen when its
	// output and runp's messages share a terminal; nil otherwise.
	screen   *screen
	screenMu sync.Mutex
}

// group is the process group that forwarded signals go to with --group, or
// 0 to signal the child alone.
func (s *session) group() int {
	if !s.cfg.Group {
		return 0
	}
	return s.jobGroup()
}

// handle forwards one signal runp received.
func (s *session) handle(sig syscall.Signal, last *lastStop) {
	switch sig {
	case unix.SIGWINCH:
		if s.con != nil {
			s.con.resize()
		}
		return
	case unix.SIGCONT:
		s.resume()
		return
	case unix.SIGTERM, unix.SIGINT:
		s.interrupted = sig
		if s.limit != "" {
			s.hurryStop() // a limit is stopping the tree already: SIGKILL now
			return
		}
		now := time.Now()
		if last.parentDeathRepeat(sig, now) {
			s.cfg.Logger.Debug("parent-death signal repeated: dropped", "signal", signalName(sig))
			return
		}
		if last.sig != 0 && now.Sub(last.at) < escalateWindow {
			fmt.Fprintf(s.cfg.Stderr, "runp: %s: killing the command\n", escalation(last.sig, sig))
			_ = s.child.signal(unix.SIGKILL, s.group()) // best effort
			return
		}
		last.sig, last.at = sig, now
	case unix.SIGHUP:
		s.interrupted = sig // a hangup is no reason to run the command again
	}
	if err := s.child.signal(sig, s.group()); err != nil && !errors.Is(err, errChildDone) {
		s.cfg.Logger.Debug("forward failed", "signal", signalName(sig), "err", err)
	}
}

// escalation names the two signals that make runp kill the command.
func escalation(first, second syscall.Signal) string {
	if first == second {
		return fmt.Sprintf("%s twice within %v", signalName(first), escalateWindow)
	}
	return fmt.Sprintf("%s then %s within %v", signalName(first), signalName(second), escalateWindow)
}

// jobGroup is the command's job: the PTY's foreground group, else the child's
// own group.
func (s *session) jobGroup() int {
	if s.master != nil {
		if pgrp, err := pty.ForegroundGroup(s.master); err == nil && pgrp > 0 {
			return pgrp
		}
	}
	return s.child.pid
}

// stopJob stops the command's job for the suspend key, when the job is the
// command's own orphaned process group (see console.forward), and reports
// whether it did. SIGSTOP is the one stop signal the kernel delivers to an
// orphaned process group.
func (s *session) stopJob() bool {
	pgrp, err := pty.ForegroundGroup(s.master)
	if err != nil || s.child == nil || pgrp != s.child.pid {
		return false
	}
	return s.child.signal(unix.SIGSTOP, pgrp) == nil
}

// suspend: the command stopped (Ctrl-Z inside the PTY). At a terminal, runp
// gives the terminal back and stops too, so the user's shell regains
// control; SIGCONT brings both back.
func (s *session) suspend() {
	switch {
	case s.con != nil && s.con.attached():
		s.settleOutput()
		_ = s.con.detach() // best effort
	case s.fgTaken:
		// --no-pty: the command's group held the terminal; the shell
		// only regains it from runp's group.
		takeForeground(s.cfg.Stdin)
		s.fgTaken = false
	default:
		return // not at a terminal: a stopped command is someone else's business
	}
	// SIGTSTP, as the command got: the user's shell reports the job
	// "Stopped" as it would without runp. If runp's own process group is
	// orphaned, the kernel drops it, as it would have dropped the
	// command's: runp goes on at once, and so does the command.
	stopSelf(unix.SIGTSTP)
	s.resume()
}

// resume follows a shell's `fg` or `bg` after Ctrl-Z (SIGCONT), or a stop
// that did not happen: take the terminal back if it is runp's again, then
// wake the command's job. Twice is harmless.
func (s *session) resume() {
	if s.con != nil {
		_ = s.con.attach() // best effort
		s.con.resize()
	}
	if s.fgJob && !s.fgTaken && pty.IsForeground(s.cfg.Stdin) {
		// --no-pty, brought back by `fg`: the terminal goes to the
		// command's group again.
		s.fgTaken = pty.SetForeground(s.cfg.Stdin, s.child.pid) == nil
	}
	_ = s.child.signal(unix.SIGCONT, s.jobGroup()) // best effort
}

// cleanUp deals with the descendants once the child has exited (see
// tracking.cleanUp), while runp goes on reaping and answering signals: the
// first SIGTERM or SIGINT hurries the clean-up, the second hurries it more.
// A SIGHUP turns --on-exit wait into a kill, as they do, but never cuts a
// grace short. The command is gone: nothing else is forwarded.
func (s *session) cleanUp(sigs, chld <-chan os.Signal, early []os.Signal) []reaper.Killed {
	onSignal := func(sig os.Signal) {
		switch sig {
		case unix.SIGWINCH:
			if s.con != nil {
				s.con.resize()
			}
		case unix.SIGTERM, unix.SIGINT:
			s.interruptCleanUp(sig)
		case unix.SIGHUP:
			s.interrupted = unix.SIGHUP
			if s.cfg.OnExit == OnExitWait && s.hurried == 0 && s.limit == "" {
				s.interruptCleanUp(sig)
			}
		}
	}
	for _, sig := range early {
		onSignal(sig)
	}
	done := make(chan []reaper.Killed, 1)
	go func() { done <- s.track.cleanUp(s.hurries[0], s.hurries[1], s.child.reap, s.child.childless) }()
	for {
		select {
		case killed := <-done:
			return killed
		case <-chld:
			s.child.reap()
			s.track.wake()
		case sig := <-sigs:
			onSignal(sig)
		}
	}
}
