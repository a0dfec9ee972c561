// Package pty starts a command in a pseudo-terminal and manages the user's
// terminal for runp: raw mode, window sizes, foreground checks and output
// post-processing.
//
// PTY is the one type a caller drives on Unix and Windows alike: New, Start,
// Resize, Close, with MakeRaw and the function it returns for the user's
// terminal. A PTY is a pseudo-terminal (on Windows, a pseudo console) for
// one command, which Start starts in it. What is typed for the command is
// written to its In; what the command shows, as a terminal would receive
// it, is read from its Out (on Unix both are the master). Cmd, the
// command's description, has fields of its own per platform.
//
// Unix uses github.com/creack/pty and golang.org/x/term; Windows uses ConPTY
// through golang.org/x/sys/windows. Every platform builds; what a platform
// lacks returns ErrUnsupported.
package pty

import "errors"

// ErrUnsupported is returned by functions that the platform does not have.
var ErrUnsupported = errors.New("pty: unsupported on this platform")

// Size is a terminal window size in character cells.
type Size struct {
	Rows, Cols uint16
}

// DefaultSize is used when runp has no terminal to copy a size from: a
// zero-sized PTY makes some programs divide by zero or print nothing.
var DefaultSize = Size{Rows: 24, Cols: 80}

// Options set up a new PTY.
type Options struct {
	// Size is the initial window size; a zero dimension is DefaultSize's.
	Size Size
	// RawOutput, on Unix, turns output post-processing off: what the
	// command writes arrives exactly as written (no "\n" to "\r\n").
	RawOutput bool
	// InheritCursor, on Windows, starts the pseudo console at the cursor
	// position of the terminal it is shown in, instead of clearing it from
	// the top left. The pseudo console asks for the position with ESC[6n
	// on its output and waits for the reply on its input: set it only when
	// a console that answers is both what Out is shown in and what In is
	// fed from.
	InheritCursor bool
}
