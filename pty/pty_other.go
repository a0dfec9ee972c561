//go:build !unix && !windows

package pty

import (
	"os"

	"golang.org/x/term"
)

// IsTerminal reports whether f is a terminal (a console on Windows).
func IsTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(int(f.Fd()))
}

// GetSize returns the window size of the console f.
func GetSize(f *os.File) (Size, error) {
	w, h, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return Size{}, err
	}
	return Size{Rows: uint16(h), Cols: uint16(w)}, nil
}

// MakeRaw puts the console f into raw mode and returns the function that
// restores its previous state.
func MakeRaw(f *os.File) (restore func() error, err error) {
	fd := int(f.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, err
	}
	return func() error { return term.Restore(fd, old) }, nil
}
