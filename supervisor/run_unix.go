//go:build unix

package supervisor

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"runp/proc"
	"runp/pty"
	"runp/reaper"
)

// The signals that concern the terminal rather than the command's life.
const (
	sigWinch = unix.SIGWINCH
	sigCont  = unix.SIGCONT
)

// start starts the command: the PTY or the pipes, the child, the tracking
// of its tree. It returns ended instead when a terminating signal came
// while runp was getting ready (with Prepare, while the flags were parsed):
// the command is then not started, and the attempt ends as the signal
// would have ended runp.
func (a *attemptState) start(path string, sub *subscription) (ended *outcome, err error) {
	c := a.cfg
	a.cmd = &command{path: path, argv: c.Argv, env: c.Env, dir: c.Dir}
	subreaper := c.Subreaper && becomeSubreaper(c)
	if err := a.wire(); err != nil {
		return nil, &StartError{Code: ExitRunpFailed, Err: err}
	}
	// The cookie finds descendants that left the tree, even after runp
	// died. It names runp's identity, which Prepare reads in the
	// background: taken after the PTY's set-up, it is there by now.
	id := reaper.NewSessionID(c.stateDir)
	a.cmd.env = withCookie(a.cmd.env, id)
	<-sub.Ready // no signal may find runp unprepared once the command runs
	if sig := sub.interrupt(); sig != nil {
		ss := sig.(syscall.Signal)
		return &outcome{ws: syscall.WaitStatus(ss), interrupted: ss}, nil
	}
	a.unpin = dieWithRunp(a.cmd, c.StopSignal) // until the child is reaped: closeAll releases it
	pid, err := a.cmd.start()
	if err == nil && a.mon != nil {
		err = a.mon.started(pid) // the monitor starts the command (see monitor)
	}
	if err != nil {
		return nil, startFailure(c.Argv[0], err)
	}
	a.child = newChild(pid, subreaper, c.Logger)
	a.child.mon = a.mon
	a.afterStart() // starts the relays, which may signal the child
	c.Logger.Debug("spawned", "pid", pid, "argv", c.Argv, "session", id)
	root := pid
	if subreaper {
		root = os.Getpid() // orphans come back to runp
	}
	var job *proc.Identity
	if a.mon != nil {
		job = a.mon.job
	}
	a.track = startTracking(c, id, root, pid, a.mon != nil, job)
	a.child.reap() // it may have exited before SIGCHLD was wired
	return nil, nil
}

// becomeSubreaper makes runp a child subreaper, and reports whether it is.
func becomeSubreaper(c *Config) bool {
	if err := setSubreaper(); err != nil {
		c.Logger.Debug("subreaper unavailable", "err", err)
		return false
	}
	return true
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
	// pty, when not nil, is the PTY the command starts in: its stdout,
	// and its stdin and stderr where those are nil.
	pty *pty.PTY
}

// start forks and execs the command and returns its PID.
func (cmd *command) start() (int, error) {
	if cmd.pinned != nil {
		return cmd.startPinned()
	}
	return cmd.forkExec()
}

// forkExec forks and execs the command, in its PTY if it has one.
func (cmd *command) forkExec() (int, error) {
	if cmd.pty != nil {
		return cmd.forkExecPTY()
	}
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

// forkExecPTY starts the command in its PTY. An error of the fork or the
// exec is returned as it is, for startFailure; trouble with the PTY is a
// StartError of its own.
func (cmd *command) forkExecPTY() (int, error) {
	err := cmd.pty.Start(&pty.Cmd{Path: cmd.path, Argv: cmd.argv, Env: cmd.env, Dir: cmd.dir,
		Stdin: cmd.stdin, Stderr: cmd.stderr, Extra: cmd.extra, Sys: cmd.sys})
	if err != nil {
		var se *os.SyscallError
		if errors.As(err, &se) && se.Syscall == "fork/exec" {
			return 0, se.Err
		}
		return 0, &StartError{Code: ExitRunpFailed, Err: err}
	}
	return cmd.pty.Pid, nil
}

// osAttempt is the Unix part of an attempt's state.
type osAttempt struct {
	cmd     *command
	unpin   func()   // releases the thread dieWithRunp locked, or nil
	pty     *pty.PTY // nil with --no-pty
	con     *console // nil with --no-pty
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
func (a *attemptState) group() int {
	if !a.cfg.Group {
		return 0
	}
	return a.jobGroup()
}

// forward passes a signal runp received on to the command (with Group, to
// its job).
func (a *attemptState) forward(sig syscall.Signal) {
	if err := a.child.signal(sig, a.group()); err != nil && !errors.Is(err, errChildDone) {
		a.cfg.Logger.Debug("forward failed", "signal", SignalName(sig), "err", err)
	}
}

// killCommand kills the command (its job, with Group) at once: the second
// stop signal.
func (a *attemptState) killCommand() {
	_ = a.child.signal(unix.SIGKILL, a.group()) // best effort
}

// terminateJob does nothing: Unix has no job object; the reaper's
// shutdown is the whole clean-up.
func (a *attemptState) terminateJob() bool { return false }

// settleJob does nothing: see terminateJob.
func (a *attemptState) settleJob(<-chan struct{}) {}

// resize copies runp's window size to the PTY, if there is one.
func (a *attemptState) resize() {
	if a.con != nil {
		a.con.resize()
	}
}

// escalation names the two signals that make runp kill the command.
func escalation(first, second syscall.Signal) string {
	if first == second {
		return fmt.Sprintf("%s twice within %v", SignalName(first), escalateWindow)
	}
	return fmt.Sprintf("%s then %s within %v", SignalName(first), SignalName(second), escalateWindow)
}

// jobGroup is the command's job: the PTY's foreground group, else the child's
// own group.
func (a *attemptState) jobGroup() int {
	if a.pty != nil {
		if pgrp, err := pty.ForegroundGroup(a.pty.Out); err == nil && pgrp > 0 {
			return pgrp
		}
	}
	return a.child.pid
}

// stopJob stops the command's job for the suspend key, when the job is the
// command's own orphaned process group (see console.forward), and reports
// whether it did. SIGSTOP is the one stop signal the kernel delivers to an
// orphaned process group.
func (a *attemptState) stopJob() bool {
	pgrp, err := pty.ForegroundGroup(a.pty.Out)
	if err != nil || a.child == nil || pgrp != a.child.pid {
		return false
	}
	return a.child.signal(unix.SIGSTOP, pgrp) == nil
}

// suspend: the command stopped (Ctrl-Z inside the PTY). At a terminal, runp
// gives the terminal back and stops too, so the user's shell regains
// control; SIGCONT brings both back.
func (a *attemptState) suspend() {
	switch {
	case a.con != nil && a.con.attached():
		a.settleOutput()
		_ = a.con.detach() // best effort
	case a.fgTaken:
		// --no-pty: the command's group held the terminal; the shell
		// only regains it from runp's group.
		takeForeground(a.cfg.Stdin)
		a.fgTaken = false
	default:
		return // not at a terminal: a stopped command is someone else's business
	}
	// SIGTSTP, as the command got: the user's shell reports the job
	// "Stopped" as it would without runp. If runp's own process group is
	// orphaned, the kernel drops it, as it would have dropped the
	// command's: runp goes on at once, and so does the command.
	stopSelf(unix.SIGTSTP)
	a.resume()
}

// resume follows a shell's `fg` or `bg` after Ctrl-Z (SIGCONT), or a stop
// that did not happen: take the terminal back if it is runp's again, then
// wake the command's job. Twice is harmless.
func (a *attemptState) resume() {
	if a.con != nil {
		_ = a.con.attach() // best effort
		a.con.resize()
	}
	if a.fgJob && !a.fgTaken && pty.IsForeground(a.cfg.Stdin) {
		// --no-pty, brought back by `fg`: the terminal goes to the
		// command's group again.
		a.fgTaken = pty.SetForeground(a.cfg.Stdin, a.child.pid) == nil
	}
	_ = a.child.signal(unix.SIGCONT, a.jobGroup()) // best effort
}
