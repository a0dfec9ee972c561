//go:build linux

package pty

import "golang.org/x/sys/unix"

const (
	ioctlGetTermios = unix.TCGETS
	ioctlSetTermios = unix.TCSETS
	ioctlPending    = unix.TIOCINQ // FIONREAD
)
