//go:build windows

package pty

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// handle returns f's Windows handle, valid while f is open, or
// InvalidHandle. It goes through SyscallConn rather than File.Fd, which on
// Windows takes an overlapped handle out of Go's I/O completion port and
// turns its deadlines off: runp's stdio is not runp's to change.
func handle(f *os.File) windows.Handle {
	rc, err := f.SyscallConn()
	if err != nil {
		return windows.InvalidHandle
	}
	h := windows.InvalidHandle
	if err := rc.Control(func(fd uintptr) { h = windows.Handle(fd) }); err != nil {
		return windows.InvalidHandle
	}
	return h
}

// IsTerminal reports whether f is a console: a console input buffer or a
// console screen buffer. Anything else (a file, a pipe, NUL, the pipes of a
// mintty or Cygwin terminal) is not.
func IsTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	var mode uint32
	return windows.GetConsoleMode(handle(f), &mode) == nil
}

// GetSize returns the size of the visible window of the console screen
// buffer f: the window, not the buffer, which in a classic console has
// thousands of lines of scrollback. A console input handle has no size;
// open CONOUT$ to ask the console it belongs to.
func GetSize(f *os.File) (Size, error) {
	var info windows.ConsoleScreenBufferInfo
	if err := windows.GetConsoleScreenBufferInfo(handle(f), &info); err != nil {
		return Size{}, fmt.Errorf("get window size: GetConsoleScreenBufferInfo: %w", err)
	}
	cols := int(info.Window.Right) - int(info.Window.Left) + 1
	rows := int(info.Window.Bottom) - int(info.Window.Top) + 1
	if cols <= 0 || rows <= 0 {
		return Size{}, fmt.Errorf("get window size: console window is %dx%d", cols, rows)
	}
	return Size{Rows: uint16(rows), Cols: uint16(cols)}, nil
}

// MakeRaw puts the console input f into raw mode and returns the function
// that restores its previous mode. Raw here means: no line editing, no echo,
// Ctrl-C delivered as the byte 0x03 instead of a CTRL_C_EVENT, and keys
// translated to VT sequences (ENABLE_VIRTUAL_TERMINAL_INPUT), which is what
// a pseudo console expects on its input.
func MakeRaw(f *os.File) (restore func() error, err error) {
	h := handle(f)
	var old uint32
	if err := windows.GetConsoleMode(h, &old); err != nil {
		return nil, fmt.Errorf("raw mode: GetConsoleMode: %w", err)
	}
	raw := old&^(windows.ENABLE_ECHO_INPUT|windows.ENABLE_LINE_INPUT|windows.ENABLE_PROCESSED_INPUT) |
		windows.ENABLE_VIRTUAL_TERMINAL_INPUT
	if err := windows.SetConsoleMode(h, raw); err != nil {
		return nil, fmt.Errorf("raw mode: SetConsoleMode: %w", err)
	}
	return restoreMode(h, old), nil
}

// EnableVTOutput turns on VT processing on the console screen buffer f, so
// that the escape sequences in a pseudo console's output are interpreted,
// not printed, and returns the function that restores the previous mode.
// The mode belongs to the screen buffer, which the user's shell shares:
// it must be restored on every exit path.
//
// DISABLE_NEWLINE_AUTO_RETURN is set too where the console knows it: it makes
// a character written to the last column leave the cursor there until the
// next character (the "pending wrap" of a VT terminal), which the ConPTY
// renderer assumes; without it, every line exactly as wide as the window is
// followed by an empty one. It also makes a bare "\n" a line feed without
// carriage return, as on a terminal; ConPTY always writes "\r\n".
func EnableVTOutput(f *os.File) (restore func() error, err error) {
	h := handle(f)
	var old uint32
	if err := windows.GetConsoleMode(h, &old); err != nil {
		return nil, fmt.Errorf("VT output: GetConsoleMode: %w", err)
	}
	vt := old | windows.ENABLE_PROCESSED_OUTPUT | windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING
	if err := windows.SetConsoleMode(h, vt|windows.DISABLE_NEWLINE_AUTO_RETURN); err != nil {
		if err := windows.SetConsoleMode(h, vt); err != nil {
			return nil, fmt.Errorf("VT output: SetConsoleMode: %w", err)
		}
	}
	return restoreMode(h, old), nil
}

func restoreMode(h windows.Handle, mode uint32) func() error {
	return func() error {
		if err := windows.SetConsoleMode(h, mode); err != nil {
			return fmt.Errorf("restore console mode: %w", err)
		}
		return nil
	}
}
