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
func Open() (master, slave *os.File, err error) {
	master, slave, err = cpty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	return master, slave, nil
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(int(f.Fd()))
}

// IsForeground reports whether runp's process group is the foreground group of
// the terminal f. Changing a terminal's modes from a background group makes
// the kernel stop the whole group with SIGTTOU, so runp only touches the
// terminal when this is true.
func IsForeground(f *os.File) bool {
	pgrp, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// ForegroundGroup returns the foreground process group of the terminal behind
// f; on a master it is the slave's foreground group (a shell's current job).
func ForegroundGroup(f *os.File) (int, error) {
	pgrp, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCGPGRP)
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
	if err := unix.IoctlSetPointerInt(int(f.Fd()), unix.TIOCSPGRP, pgrp); err != nil {
		return fmt.Errorf("tcsetpgrp: %w", err)
	}
	return nil
}

// GetSize returns the window size of the terminal f.
func GetSize(f *os.File) (Size, error) {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return Size{}, fmt.Errorf("get window size: %w", err)
	}
	return Size{Rows: ws.Row, Cols: ws.Col}, nil
}

// SetSize sets the window size of the PTY behind f. The kernel sends SIGWINCH
// to the PTY's foreground group when the size changes.
func SetSize(f *os.File, s Size) error {
	ws := &unix.Winsize{Row: s.Rows, Col: s.Cols}
	if err := unix.IoctlSetWinsize(int(f.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		return fmt.Errorf("set window size: %w", err)
	}
	return nil
}

// RawOutput turns output post-processing (OPOST) off on the PTY slave, so
// bytes written by the child reach the master exactly as written: no "\n" to
// "\r\n" translation when runp's own output is a file or a pipe.
func RawOutput(slave *os.File) error {
	fd := int(slave.Fd())
	t, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return fmt.Errorf("tcgetattr: %w", err)
	}
	t.Oflag &^= unix.OPOST
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, t); err != nil {
		return fmt.Errorf("tcsetattr: %w", err)
	}
	return nil
}

// MakeRaw puts the terminal f into raw mode and returns the function that
// restores its previous state.
func MakeRaw(f *os.File) (restore func() error, err error) {
	fd := int(f.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, fmt.Errorf("raw mode: %w", err)
	}
	return func() error { return term.Restore(fd, old) }, nil
}
