//go:build unix

package main

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// die ends runp by sig, the signal its command died of, so that runp's
// parent sees what it would have seen without runp (see
// supervisor.Result.DeathSignal). It returns only where it cannot: as PID
// 1, to which the kernel delivers no signal that has its default action,
// or for a signal whose default action the platform cannot give runp
// (canDieOf, armDefault); the caller then exits 128+N.
//
// With group set (the signal came from the keyboard, see
// supervisor.Result.Keyboard), sig goes to runp's whole process group first,
// as the terminal would have sent it had runp not made it raw: a script's
// bash around runp, not a job of its own, stops its loop only when it got
// SIGINT itself. Only while runp's group is the terminal's foreground,
// where the terminal's signal would have gone.
func die(sig syscall.Signal, group bool) {
	if os.Getpid() == 1 {
		return
	}
	fatal := canDieOf(sig)
	group = group && foreground()
	if !fatal && !group {
		return
	}
	if !fatal {
		// runp survives its share of the group's signal: the Go runtime
		// would drop it, or dump its stacks for SIGQUIT.
		signal.Ignore(sig)
	} else if !armDefault(sig) {
		return
	}
	if group {
		// runp is in the group, so this is runp's signal too; raise is
		// the fallback.
		_ = unix.Kill(0, sig)
	}
	if fatal {
		raise(sig, group)
	}
}

// foreground reports whether runp's process group is the foreground group
// of the terminal on its stdin (tcgetpgrp(0) == getpgrp()): the group the
// terminal's line discipline sends the keyboard's signals to.
func foreground() bool {
	pgrp, err := unix.IoctlGetInt(0, unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}
