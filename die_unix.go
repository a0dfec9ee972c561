//go:build unix && !linux

package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// die ends runp by sig, the signal its command died of (see
// supervisor.Result.DeathSignal), where the Go runtime does it by itself:
// once unsubscribed, SIGHUP, SIGINT and SIGTERM end a Go program as their
// default action would. For the other signals it returns, and the caller
// exits 128+N. With group set, sig goes to runp's whole process group, as
// on Linux (see die_linux.go); runp ignores a SIGQUIT it cannot die of, so
// that the Go runtime dumps no stacks.
func die(sig syscall.Signal, group bool) {
	if os.Getpid() == 1 {
		return
	}
	fatal := false
	switch sig {
	case unix.SIGHUP, unix.SIGINT, unix.SIGTERM, unix.SIGKILL:
		fatal = true
	}
	group = group && foreground()
	if !fatal && !group {
		return
	}
	if fatal {
		signal.Reset(sig)
	} else {
		signal.Ignore(sig)
	}
	if group {
		_ = unix.Kill(0, sig)
	} else {
		_ = unix.Kill(os.Getpid(), sig)
	}
	if !fatal {
		return
	}
	// Delivered to another thread, the signal ends runp in a moment; the
	// caller's exit is the fallback.
	time.Sleep(100 * time.Millisecond)
}
