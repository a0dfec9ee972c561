//go:build unix

package pty

import (
	"fmt"
	"os"

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

// SetSize sets the window size of the PTY behind f. The kernel sends SIGWINCH
// to the PTY's foreground group when the size changes.
func SetSize(f *os.File, s Size) error {
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
