//go:build windows

package supervisor

import (
	"errors"
	"fmt"
	"os"
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

// conhostGrace is how long a conhost may take to exit after its pseudo
// console was closed before it is killed.
const conhostGrace = 2 * time.Second

// The signals that concern a Unix terminal: Windows has neither, and they
// never arrive.
const (
	sigWinch = syscall.Signal(-1)
	sigCont  = syscall.Signal(-2)
)

// start starts the command, suspended until it is in the job, in a pseudo
// console or with runp's stdio, and the tracking of its tree. The status
// that finish returns is the command's exit code as it is,
// syscall.WaitStatus{ExitCode: code}: on Windows a code is 32 bits and
// means what the program says (an NTSTATUS such as 0xC0000005 for a crash,
// STATUS_CONTROL_C_EXIT for Ctrl-C); there is no 128+N.
func (a *attemptState) start(path string, _ *subscription) (ended *outcome, err error) {
	c := a.cfg
	// The cookie finds descendants that left the tree, even after runp died.
	id := reaper.NewSessionID(c.stateDir)
	// lookPath looked relative to runp's directory; CreateProcess and
	// os.StartProcess would resolve a relative path against Dir instead.
	if path, err = filepath.Abs(path); err != nil {
		return nil, &StartError{Code: ExitRunpFailed, Err: err}
	}
	cmdLine := windows.ComposeCommandLine(c.Argv)
	if isBatchFile(path) {
		if cmdLine, err = batchCommandLine(path, c.Argv[1:]); err != nil {
			return nil, &StartError{Code: ExitNotExecutable, Err: fmt.Errorf("%s: %w", c.Argv[0], err)}
		}
	}
	env := withCookie(c.Env, id)
	if j, err := newJob(); err != nil {
		a.warnNoJob(err)
	} else {
		a.job = j
	}
	switch {
	case c.NoPTY:
		err = a.startPlain(path, cmdLine, env)
	case !conpty.IsConPtyAvailable():
		// Windows before 10 1809 has no pseudo console: run as --no-pty.
		fmt.Fprintln(c.Stderr, "runp: this Windows has no ConPTY; running the command without a PTY")
		err = a.startPlain(path, cmdLine, env)
	default:
		err = a.startConPTY(path, cmdLine, env)
	}
	if err != nil {
		return nil, err
	}
	c.Logger.Debug("spawned", "pid", a.child.pid, "argv", c.Argv, "session", id, "job", a.job != nil)
	// No subreaper on Windows: the tracked tree is rooted at the command.
	a.track = startTracking(c, id, a.child.pid, a.child.pid, false, nil)
	for _, h := range a.conhosts {
		a.track.r.Track(h.PID, os.Getpid(), registry.RoleConhost)
	}
	return nil, nil
}

// osAttempt is the Windows part of an attempt's state.
type osAttempt struct {
	job      *job            // nil if the system refused one
	pty      *pty.PTY        // nil with --no-pty
	con      *console        // nil with --no-pty
	conhosts []proc.Identity // the pseudo console's conhost.exe
}

// warnNoJob says once per attempt that the command runs without its job:
// the reaper still stops the tree by identity at the end, but a process that
// left the tree unseen, or a runp killed with TerminateProcess, leaves
// processes behind. The command must not fail for it.
func (a *attemptState) warnNoJob(err error) {
	fmt.Fprintf(a.cfg.Stderr, "runp: no job object, clean-up by process identity only: %v\n", err)
}

// setup runs while the command is suspended: it puts it into the job.
func (a *attemptState) setup(process windows.Handle) error {
	if a.job == nil {
		return nil
	}
	if err := a.job.assign(process); err != nil {
		a.warnNoJob(err)
		_ = a.job.close() // best effort: the job is empty
		a.job = nil
	}
	return nil
}

// forward passes an interrupt or SIGTERM on to the command (see the top of
// the file).
func (a *attemptState) forward(sig syscall.Signal) {
	if !terminating(sig) {
		return
	}
	if err := a.interrupt(sig); err != nil {
		a.cfg.Logger.Debug("forward failed", "signal", sig, "err", err)
	}
}

// killCommand terminates the command's job at once (the second interrupt);
// without a job, the command alone, and the clean-up stops the rest.
func (a *attemptState) killCommand() {
	if !a.terminateJob() {
		_ = a.child.terminate() // best effort: the clean-up stops the rest
	}
}

// escalation says which signals make runp kill the command.
func escalation(_, second syscall.Signal) string { return fmt.Sprintf("%v again", second) }

// resize does nothing: the console polls the window size (see console.poll).
func (a *attemptState) resize() {}

// suspend, resume and releaseTerminal do nothing: Windows has no job
// control, and runp's console is given back by finish.
func (a *attemptState) suspend()         {}
func (a *attemptState) resume()          {}
func (a *attemptState) releaseTerminal() {}

// interrupt passes an interrupt on to the command (see the top of the file).
func (a *attemptState) interrupt(sig syscall.Signal) error {
	if a.pty != nil {
		if _, err := a.pty.In.Write([]byte{0x03}); err != nil {
			return fmt.Errorf("write Ctrl-C to the pseudo console: %w", err)
		}
		a.cfg.Logger.Debug("signalled", "pid", a.child.pid, "event", "Ctrl-C (0x03)")
		return nil
	}
	if sig == syscall.SIGTERM {
		return nil // the console told the command itself
	}
	return a.child.ctrlBreak()
}

// terminateJob terminates every process in the job and reports whether
// there was a job to terminate.
func (a *attemptState) terminateJob() bool {
	if a.job == nil {
		return false
	}
	if n, err := a.job.active(); err == nil && n > 0 {
		a.cfg.Logger.Debug("terminating job", "processes", n)
	}
	if err := a.job.terminate(); err != nil {
		a.cfg.Logger.Debug("job", "err", err)
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
