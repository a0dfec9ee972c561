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
// exits 128+N.
func die(sig syscall.Signal) {
	switch sig {
	case unix.SIGHUP, unix.SIGINT, unix.SIGTERM, unix.SIGKILL:
	default:
		return
	}
	if os.Getpid() == 1 {
		return
	}
	signal.Reset(sig)
	_ = unix.Kill(os.Getpid(), sig)
	// Delivered to another thread, the signal ends runp in a moment; the
	// caller's exit is the fallback.
	time.Sleep(100 * time.Millisecond)
}
