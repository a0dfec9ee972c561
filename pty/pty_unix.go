//go:build unix

package pty

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"

	cpty "github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// Open returns a new pseudo-terminal pair. The caller gives the slave to the
// child and closes its own copy once the child has started: the master only
// reports EOF (EIO on Linux) when every copy of the slave is closed.
//
// The master is returned in non-blocking mode, registered with Go's poller,
// so that reads can be given a deadline. creack/pty leaves it blocking (its
// ioctls go through File.Fd, which switches a file to blocking mode), so the
// descriptor is duplicated and wrapped anew.
func Open() (master, slave *os.File, err error) {
	m, slave, err := cpty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	defer func() { _ = m.Close() }() // the duplicate below replaces it
	var fd int
	err = control(m, func(mfd int) error {
		var derr error
		fd, derr = unix.FcntlInt(uintptr(mfd), unix.F_DUPFD_CLOEXEC, 0)
		return derr
	})
	if err == nil {
		err = unix.SetNonblock(fd, true)
	}
	if err != nil {
		_ = slave.Close() // best effort
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	return os.NewFile(uintptr(fd), m.Name()), slave, nil
}

// control runs fn on f's descriptor without File.Fd, which would switch the
// file to blocking mode: on a terminal shared with the user's shell, or on a
// master in Go's poller, that change must not happen behind their back.
func control(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	is := false
	_ = control(f, func(fd int) error { is = term.IsTerminal(fd); return nil }) // false on error
	return is
}

// IsForeground reports whether runp's process group is the foreground group of
// the terminal f. Changing a terminal's modes from a background group makes
// the kernel stop the whole group with SIGTTOU, so runp only touches the
// terminal when this is true.
func IsForeground(f *os.File) bool {
	pgrp, err := ForegroundGroup(f)
	return err == nil && pgrp == unix.Getpgrp()
}

// ForegroundGroup returns the foreground process group of the terminal behind
// f; on a master it is the slave's foreground group (a shell's current job).
func ForegroundGroup(f *os.File) (int, error) {
	var pgrp int
	err := control(f, func(fd int) (err error) {
		pgrp, err = unix.IoctlGetInt(fd, unix.TIOCGPGRP)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("tcgetpgrp: %w", err)
	}
	return pgrp, nil
}

// SetForeground makes pgrp the foreground group of the terminal f. It is used
// to take the terminal back after a --no-pty child held it; runp may be in
// the background at that moment, so SIGTTOU must be ignored around the call
// by the caller.
func SetForeground(f *os.File, pgrp int) error {
	if err := control(f, func(fd int) error { return unix.IoctlSetPointerInt(fd, unix.TIOCSPGRP, pgrp) }); err != nil {
		return fmt.Errorf("tcsetpgrp: %w", err)
	}
	return nil
}

// GetSize returns the window size of the terminal f.
func GetSize(f *os.File) (Size, error) {
	var ws *unix.Winsize
	err := control(f, func(fd int) (err error) {
		ws, err = unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ)
		return err
	})
	if err != nil {
		return Size{}, fmt.Errorf("get window size: %w", err)
	}
	return Size{Rows: ws.Row, Cols: ws.Col}, nil
}

// setSize sets the window size of the PTY behind f. The kernel sends SIGWINCH
// to the PTY's foreground group when the size changes.
func setSize(f *os.File, s Size) error {
	ws := &unix.Winsize{Row: s.Rows, Col: s.Cols}
	if err := control(f, func(fd int) error { return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, ws) }); err != nil {
		return fmt.Errorf("set window size: %w", err)
	}
	return nil
}

// RawOutput turns output post-processing (OPOST) off on the PTY slave, so
// bytes written by the child reach the master exactly as written: no "\n" to
// "\r\n" translation when runp's own output is a file or a pipe.
func RawOutput(slave *os.File) error {
	return control(slave, func(fd int) error {
		t, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
		if err != nil {
			return fmt.Errorf("tcgetattr: %w", err)
		}
		t.Oflag &^= unix.OPOST
		if err := unix.IoctlSetTermios(fd, ioctlSetTermios, t); err != nil {
			return fmt.Errorf("tcsetattr: %w", err)
		}
		return nil
	})
}

// MakeRaw puts the terminal f into raw mode and returns the function that
// restores its previous state.
func MakeRaw(f *os.File) (restore func() error, err error) {
	var old *term.State
	if err := control(f, func(fd int) (err error) { old, err = term.MakeRaw(fd); return err }); err != nil {
		return nil, fmt.Errorf("raw mode: %w", err)
	}
	return func() error {
		return control(f, func(fd int) error { return term.Restore(fd, old) })
	}, nil
}

// Fd returns f's descriptor for poll(2) and read(2), without File.Fd's
// switch to blocking mode; -1 on error.
func Fd(f *os.File) int {
	fd := -1
	_ = control(f, func(d int) error { fd = d; return nil }) // -1 on error
	return fd
}

// Termios returns the terminal modes of f; on a PTY master, those of the PTY.
func Termios(f *os.File) (*unix.Termios, error) {
	var t *unix.Termios
	err := control(f, func(fd int) (err error) {
		t, err = unix.IoctlGetTermios(fd, ioctlGetTermios)
		return err
	})
	return t, err
}

// Pending returns how many bytes wait to be read from f: on a PTY master,
// what the command has written and nobody has relayed yet.
func Pending(f *os.File) (int, error) {
	var n int
	err := control(f, func(fd int) (err error) {
		n, err = unix.IoctlGetInt(fd, ioctlPending)
		return err
	})
	return n, err
}

// Cmd is a command to start in a PTY.
type Cmd struct {
	// Path is the executable, already resolved; Argv its arguments, the
	// program name included.
	Path string
	Argv []string
	// Env holds "key=value" entries; Dir is the working directory, ""
	// for the caller's.
	Env []string
	Dir string
	// Stdin and Stderr are the command's; nil means the PTY. Its stdout
	// is always the PTY, which becomes its controlling terminal.
	Stdin, Stderr *os.File
	// Extra, if not nil, is the command's file descriptor 3.
	Extra *os.File
	// Sys holds further attributes; Start sets Setsid, Setctty and Ctty
	// on a copy.
	Sys *syscall.SysProcAttr
}

// PTY is a pseudo-terminal for one command (see the package
// documentation). In and Out are both the master.
type PTY struct {
	In, Out *os.File
	// Pid is the started process's, once Start has returned.
	Pid   int
	slave *os.File // until Start: the command's terminal
}

// New opens a PTY with o.Size and, with o.RawOutput, output
// post-processing off (see RawOutput); Start then starts the command in it.
func New(o Options) (*PTY, error) {
	master, slave, err := Open()
	if err != nil {
		return nil, err
	}
	if err := setUp(master, slave, o); err != nil {
		_ = master.Close() // best effort
		_ = slave.Close()  // best effort
		return nil, err
	}
	return &PTY{In: master, Out: master, slave: slave}, nil
}

// setUp gives a new PTY its size and output mode.
func setUp(master, slave *os.File, o Options) error {
	if o.RawOutput {
		if err := RawOutput(slave); err != nil {
			return err
		}
	}
	size := o.Size
	if size.Rows == 0 {
		size.Rows = DefaultSize.Rows
	}
	if size.Cols == 0 {
		size.Cols = DefaultSize.Cols
	}
	return setSize(master, size)
}

// Start forks and execs c in the PTY, in a session of its own with the PTY
// as its controlling terminal, and then closes the PTY's own copy of the
// terminal, so that Out reports EOF (EIO on Linux) once the command's side
// is closed. It uses syscall.ForkExec rather than os/exec, whose first
// Start probes the kernel's pidfd support with an extra process: the caller
// waits for the command with wait4. An error of the fork or the exec is an
// *os.SyscallError named "fork/exec", which tells "cannot execute" from
// trouble with the PTY.
func (p *PTY) Start(c *Cmd) error {
	if p.slave == nil {
		return errors.New("pty: started twice")
	}
	defer func() { _ = p.slave.Close(); p.slave = nil }() // the child holds its own copy
	stdin, stderr := p.slave, p.slave
	if c.Stdin != nil {
		stdin = c.Stdin
	}
	if c.Stderr != nil {
		stderr = c.Stderr
	}
	// Fd puts a file the poller holds back into blocking mode, as
	// os.StartProcess does: the child gets ordinary descriptors.
	files := []uintptr{stdin.Fd(), p.slave.Fd(), stderr.Fd()}
	if c.Extra != nil {
		files = append(files, c.Extra.Fd())
	}
	var sys syscall.SysProcAttr
	if c.Sys != nil {
		sys = *c.Sys
	}
	// Fd 1 of the child is always the slave: it becomes the controlling
	// terminal of the child's new session.
	sys.Setsid, sys.Setctty, sys.Ctty = true, true, 1
	pid, err := syscall.ForkExec(c.Path, c.Argv, &syscall.ProcAttr{Dir: c.Dir, Env: c.Env, Files: files, Sys: &sys})
	runtime.KeepAlive(c) // the files stay open until the child has them
	if err != nil {
		return os.NewSyscallError("fork/exec", err)
	}
	p.Pid = pid
	return nil
}

// Resize sets the PTY's window size (see setSize).
func (p *PTY) Resize(s Size) error { return setSize(p.Out, s) }

// Close closes the PTY; a command still in it gets EOF or EIO on its
// terminal once every other copy is gone.
func (p *PTY) Close() error {
	if p.slave != nil {
		_ = p.slave.Close() // best effort: never started
		p.slave = nil
	}
	return p.Out.Close()
}
