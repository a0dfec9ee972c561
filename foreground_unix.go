//go:build unix

package main

import "golang.org/x/sys/unix"

// foreground reports whether runp's process group is the foreground group
// of the terminal on its stdin (tcgetpgrp(0) == getpgrp()): the group the
// terminal's line discipline sends the keyboard's signals to.
func foreground() bool {
	pgrp, err := unix.IoctlGetInt(0, unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}
