// Package pty opens pseudo-terminals and manages the user's terminal for runp:
// raw mode, window sizes, foreground checks and output post-processing.
//
// Unix uses github.com/creack/pty and golang.org/x/term; Windows uses ConPTY
// (github.com/UserExistsError/conpty). Every platform builds; what a platform
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
