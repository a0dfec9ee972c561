//go:build windows

package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/UserExistsError/conpty"
	"golang.org/x/sys/windows"

	"runp/proc"
	"runp/pty"
	"runp/reaper"
	"runp/registry"
)

// Windows has no signals to forward. Go turns a console's CTRL_C_EVENT and
// CTRL_BREAK_EVENT into os.Interrupt (SIGINT), and its CTRL_CLOSE_EVENT,
// CTRL_LOGOFF_EVENT and CTRL_SHUTDOWN_EVENT into SIGTERM; after the last
// three Windows ends runp within seconds whatever it does (5 s for a closed
// window), and the job's kill-on-close then ends the command's tree.
//
// runp passes an interrupt on as the command would have received it
// without runp:
//   - ConPTY: runp writes 0x03 into the pseudo console, which is what a
//     terminal sends for Ctrl-C. Conhost turns it into CTRL_C_EVENT for every
//     process attached to the pseudo console whose input is in processed
//     mode, and hands it as a keystroke to a program that has raw mode on.
//     At a console in raw mode Ctrl-C never reaches runp as an event: it is
//     relayed as that byte. What does reach runp, Ctrl-Break, is passed on
//     as Ctrl-C: a pseudo console takes no Ctrl-Break from its input.
//   - --no-pty: the command shares runp's console and is started with
//     CREATE_NEW_PROCESS_GROUP, which turns Ctrl-C off in its group, so the
//     console's own CTRL_C_EVENT does not reach it; runp then sends
//     CTRL_BREAK_EVENT to the group (GenerateConsoleCtrlEvent delivers
//     CTRL_C_EVENT to the whole console, runp included, or to nobody,
//     never to one group). The command sees
//     Ctrl-Break where it would have seen Ctrl-C; a program's default
//     handler ends it either way, with STATUS_CONTROL_C_EXIT. A program that
//     turns Ctrl-C back on gets both. A Ctrl-Break typed at the console
//     reaches it directly too. The close, logoff and shutdown events are not
//     forwarded: the console delivers them to the command itself.
//
// Either way the event reaches the command's whole group (every process
// on the pseudo console, or in the group), so --group changes nothing here.
//
// A second interrupt (or SIGTERM) within escalateWindow of the first, while
// the command runs, terminates the job: the command and all it started exit
// with code exitCodeKilled (1), as they would have with Unix's SIGKILL.

// escalateWindow: a second interrupt this soon after the first terminates
// the command's job.
const escalateWindow = 3 * time.Second

// Drain bounds: how long output may stay quiet, and how long it may go on at
// most, once the command has exited and a leftover process holds its output.
const (
	drainQuiet = 100 * time.Millisecond
	drainMax   = 2 * time.Second
)

// conhostGrace is how long a conhost may take to exit after its pseudo
// console was closed before it is killed.
const conhostGrace = 2 * time.Second

// subscription holds runp's signal channel for a whole Run, across attempts.
type subscription struct{ sigs chan os.Signal }

func subscribe() *subscription {
	sub := &subscription{sigs: make(chan os.Signal, 16)}
	signal.Notify(sub.sigs, os.Interrupt, syscall.SIGTERM)
	return sub
}

func (sub *subscription) stop() { signal.Stop(sub.sigs) }

// exitInterrupted is STATUS_CONTROL_C_EXIT, the exit code of a console
// program that Ctrl-C ended.
const exitInterrupted = 0xC000013A

// cancel undoes a subscription that no Run took (see Prepare): an interrupt
// that arrived meanwhile ends the process, as it would have by default.
func (sub *subscription) cancel() {
	sub.stop()
	select {
	case <-sub.sigs:
		os.Exit(exitInterrupted)
	default:
	}
}

// run is one attempt: start the command, supervise it until it exits, clean
// its tree up, and say how it ended. The status is the command's exit code
// as it is, syscall.WaitStatus{ExitCode: code}: on Windows a code is 32
// bits and means what the program says (an NTSTATUS such as 0xC0000005 for
// a crash, STATUS_CONTROL_C_EXIT for Ctrl-C); there is no 128+N.
func run(ctx context.Context, c *Config, sub *subscription) (outcome, error) {
	path, err := lookPath(c.Argv[0], c.Dir)
	if err != nil {
		return outcome{}, err
	}
	// lookPath looked relative to runp's directory; CreateProcess and
	// os.StartProcess would resolve a relative path against Dir instead.
	if path, err = filepath.Abs(path); err != nil {
		return outcome{}, &StartError{Code: ExitRunpFailed, Err: err}
	}
	cmdLine := windows.ComposeCommandLine(c.Argv)
	if isBatchFile(path) {
		if cmdLine, err = batchCommandLine(path, c.Argv[1:]); err != nil {
			return outcome{}, &StartError{Code: ExitNotExecutable, Err: fmt.Errorf("%s: %w", c.Argv[0], err)}
		}
	}
	// The cookie finds descendants that left the tree, even after runp died.
	id := reaper.NewSessionID(c.stateDir)
	env := withCookie(c.Env, id)

	s := &session{attempt: newAttempt(c)}
	defer s.closeAll()
	if j, err := newJob(); err != nil {
		s.warnNoJob(err)
	} else {
		s.job = j
	}
	switch {
	case c.NoPTY:
		err = s.startPlain(path, cmdLine, env)
	case !conpty.IsConPtyAvailable():
		// Windows before 10 1809 has no pseudo console: run as --no-pty.
		fmt.Fprintln(c.Stderr, "runp: this Windows has no ConPTY; running the command without a PTY")
		err = s.startPlain(path, cmdLine, env)
	default:
		err = s.startConPTY(path, cmdLine, env)
	}
	if err != nil {
		return outcome{}, err
	}
	c.Logger.Debug("spawned", "pid", s.child.pid, "argv", c.Argv, "session", id, "job", s.job != nil)
	// No subreaper on Windows: the tracked tree is rooted at the command.
	s.track = startTracking(c, id, s.child.pid, s.child.pid, false, nil)
	for _, h := range s.conhosts {
		s.track.r.Track(h.PID, os.Getpid(), registry.RoleConhost)
	}

	var lastTerm time.Time
	var early []os.Signal // signals that arrived after the child exited
	lim := watchLimits(ctx, c, s.act)
	defer lim.stop()
	for {
		select {
		case <-s.child.exited:
			killed := s.cleanUp(sub.sigs, early)
			if s.stopDone != nil {
				killed = append(<-s.stopDone, killed...)
			}
			s.finish()
			if s.child.err != nil {
				return outcome{killed: killed}, s.child.err
			}
			return outcome{ws: syscall.WaitStatus{ExitCode: s.child.code}, killed: killed,
				limit: s.limit, interrupted: s.interrupted}, nil
		case sig := <-sub.sigs:
			select {
			case <-s.child.exited:
				early = append(early, sig) // it is for the clean-up now
			default:
				s.handle(sig, &lastTerm)
			}
		case l := <-lim.fired:
			s.stopTree(l.name, l.why)
		}
	}
}

// session is the state of one attempt.
type session struct {
	attempt
	job      *job // nil if the system refused one
	child    *child
	track    *tracking
	pc       *pty.PseudoConsole // nil with --no-pty
	con      *console           // nil with --no-pty
	conhosts []proc.Identity    // the pseudo console's conhost.exe
}

// warnNoJob says once per attempt that the command runs without its job:
// the reaper still stops the tree by identity at the end, but a process that
// left the tree unseen, or a runp killed with TerminateProcess, leaves
// processes behind. The command must not fail for it.
func (s *session) warnNoJob(err error) {
	fmt.Fprintf(s.cfg.Stderr, "runp: no job object, clean-up by process identity only: %v\n", err)
}

// setup runs while the command is suspended: it puts it into the job.
func (s *session) setup(process windows.Handle) error {
	if s.job == nil {
		return nil
	}
	if err := s.job.assign(process); err != nil {
		s.warnNoJob(err)
		_ = s.job.close() // best effort: the job is empty
		s.job = nil
	}
	return nil
}

// stopTree ends the attempt early (a limit fired): the reaper terminates
// the whole tree, the command included, by verified identity; then the job
// is terminated as the backstop for what the reaper did not see.
func (s *session) stopTree(limit Limit, why string) {
	if !s.beginStop(limit, why) {
		return
	}
	go func() {
		killed := s.track.stop(s.hurry, func() {})
		s.terminateJob()
		s.stopDone <- killed
	}()
}

// handle answers one signal runp received while the command runs.
func (s *session) handle(sig os.Signal, lastTerm *time.Time) {
	if !terminating(sig) {
		return
	}
	s.interrupted = sig.(syscall.Signal)
	if s.limit != "" {
		s.hurryStop() // a limit is stopping the tree already: no grace left to give
		return
	}
	now := time.Now()
	if !lastTerm.IsZero() && now.Sub(*lastTerm) < escalateWindow {
		fmt.Fprintf(s.cfg.Stderr, "runp: %v again: killing the command\n", sig)
		if !s.terminateJob() {
			_ = s.child.terminate() // best effort: the clean-up stops the rest
		}
		return
	}
	*lastTerm = now
	if err := s.interrupt(sig); err != nil {
		s.cfg.Logger.Debug("forward failed", "signal", sig, "err", err)
	}
}

// interrupt passes an interrupt on to the command (see the top of the file).
func (s *session) interrupt(sig os.Signal) error {
	if s.pc != nil {
		if _, err := s.pc.In.Write([]byte{0x03}); err != nil {
			return fmt.Errorf("write Ctrl-C to the pseudo console: %w", err)
		}
		s.cfg.Logger.Debug("signalled", "pid", s.child.pid, "event", "Ctrl-C (0x03)")
		return nil
	}
	if sig == syscall.SIGTERM {
		return nil // the console told the command itself
	}
	return s.child.ctrlBreak()
}

// terminateJob terminates every process in the job and reports whether
// there was a job to terminate.
func (s *session) terminateJob() bool {
	if s.job == nil {
		return false
	}
	if n, err := s.job.active(); err == nil && n > 0 {
		s.cfg.Logger.Debug("terminating job", "processes", n)
	}
	if err := s.job.terminate(); err != nil {
		s.cfg.Logger.Debug("job", "err", err)
		return false
	}
	return true
}

// startFailureWindows maps an error of CreateProcess to a StartError: the
// codes Windows gives an executable it will not run become 126, the rest go
// through startFailure.
func startFailureWindows(argv0 string, err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case windows.ERROR_BAD_EXE_FORMAT, windows.ERROR_EXE_MACHINE_TYPE_MISMATCH,
			windows.ERROR_ELEVATION_REQUIRED, windows.ERROR_ACCESS_DENIED:
			return &StartError{Code: ExitNotExecutable, Err: fmt.Errorf("%s: %w", argv0, errno)}
		}
	}
	return startFailure(argv0, err)
}
