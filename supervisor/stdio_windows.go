//go:build windows

package supervisor

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"

	"runp/proc"
	"runp/pty"
)

// startConPTY starts the command in a new pseudo console, in the job.
//
// The command's stdin, stdout and stderr are all the pseudo console:
// Windows gives a program its console handles only as a set, so runp's own
// stdin is relayed into the pseudo console (see console.start) and stderr
// is not kept apart. Unlike a Unix PTY, a pseudo console never passes the
// bytes through: conhost renders the command's screen and writes that,
// as VT sequences, so the output is a terminal's view, not a byte stream.
func (a *attemptState) startConPTY(path, cmdLine string, env []string) error {
	c := a.cfg
	env, err := windowsEnv(env, os.Getenv("SYSTEMROOT"))
	if err != nil {
		return &StartError{Code: ExitRunpFailed, Err: err}
	}
	a.con = newConsole(c)
	size := a.con.initialSize()
	pc, err := pty.New(pty.Options{Size: size, InheritCursor: a.con.inheritCursor()})
	if err != nil {
		return &StartError{Code: ExitRunpFailed, Err: fmt.Errorf("pseudo console: %w", err)}
	}
	a.pty = pc
	err = pc.Start(&pty.Cmd{Path: path, CmdLine: cmdLine, Env: env, Dir: c.Dir, Setup: a.setup})
	if err != nil {
		var se *os.SyscallError
		if errors.As(err, &se) && se.Syscall == "CreateProcess" {
			return startFailureWindows(c.Argv[0], se.Err)
		}
		return &StartError{Code: ExitRunpFailed, Err: fmt.Errorf("pseudo console: %w", err)}
	}
	// The output is read from the start: conhost writes its first frame
	// (and, with InheritCursor, its cursor request) right away.
	a.streams = append(a.streams, startStream(pc.Out, c.Stdout, a.act, streamHooks{lost: a.lostOutput}))
	if a.child, err = newChild(pc.Pid, pc.Process, c.Logger); err != nil {
		_ = windows.TerminateProcess(pc.Process, exitCodeKilled) // best effort: the job ends it too
		return &StartError{Code: ExitRunpFailed, Err: err}
	}
	// CreatePseudoConsole started its conhost.exe before returning.
	if a.conhosts, err = proc.FindConhosts(pc.NotBefore); err != nil {
		c.Logger.Debug("conhost not found", "err", err)
	}
	a.con.start(pc, size)
	return nil
}

// startPlain starts the command with runp's own stdio (--no-pty), in a
// process group of its own (for Ctrl-Break, see the top of run_windows.go),
// and in the job. exec.Cmd creates it suspended; once it is in the job its
// thread is resumed: no code of the command runs outside the job.
func (a *attemptState) startPlain(path, cmdLine string, env []string) error {
	c := a.cfg
	cmd := &exec.Cmd{Path: path, Args: c.Argv, Env: env, Dir: c.Dir}
	if c.Stdin != nil {
		cmd.Stdin = c.Stdin
	}
	var err error
	if cmd.Stdout, err = a.output(c.Stdout); err != nil {
		return &StartError{Code: ExitRunpFailed, Err: err}
	}
	if cmd.Stderr, err = a.output(c.stderr); err != nil {
		return &StartError{Code: ExitRunpFailed, Err: err}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		CmdLine:       cmdLine, // the same composition as in ConPTY mode, batch files included
		CreationFlags: windows.CREATE_NEW_PROCESS_GROUP | windows.CREATE_SUSPENDED,
	}
	if err := cmd.Start(); err != nil {
		return startFailureWindows(c.Argv[0], err)
	}
	// runp waits on a handle of its own (see child); Go's is released.
	defer func() { _ = cmd.Process.Release() }() // best effort
	var herr error
	err = cmd.Process.WithHandle(func(h uintptr) {
		process := windows.Handle(h)
		if a.child, herr = newChild(cmd.Process.Pid, process, c.Logger); herr != nil {
			_ = windows.TerminateProcess(process, exitCodeKilled) // best effort: it never ran
			return
		}
		herr = a.setup(process)
	})
	if err == nil {
		err = herr
	}
	if err == nil {
		err = resumeProcess(cmd.Process.Pid)
	}
	if err != nil {
		if a.child != nil {
			_ = a.child.terminate() // best effort: suspended, it never ran
		}
		return &StartError{Code: ExitRunpFailed, Err: fmt.Errorf("start %s: %w", c.Argv[0], err)}
	}
	a.afterStart()
	return nil
}

// afterStart drops runp's copies of the child's ends of the pipes, so that
// EOF arrives when the command's side closes.
func (a *attemptState) afterStart() { a.closePipes() }
