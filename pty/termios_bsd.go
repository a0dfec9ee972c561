//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package pty

import "golang.org/x/sys/unix"

const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
	// ioctlPending is FIONREAD, _IOR('f', 127, int), which x/sys/unix
	// does not export for the BSDs.
	ioctlPending = 0x4004667f
)
