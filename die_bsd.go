//go:build unix && !linux

package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// canDieOf reports whether the Go runtime ends runp by sig by itself:
// once unsubscribed, SIGHUP, SIGINT and SIGTERM end a Go program as their
// default action would (and SIGKILL ends any). For the others die returns,
// and the caller exits 128+N.
func canDieOf(sig syscall.Signal) bool {
	switch sig {
	case unix.SIGHUP, unix.SIGINT, unix.SIGTERM, unix.SIGKILL:
		return true
	}
	return false
}

// armDefault gives sig back to the Go runtime, which ends runp by it.
func armDefault(sig syscall.Signal) bool {
	signal.Reset(sig)
	return true
}

// raise sends sig to runp, unless it went to runp's group already. The
// signal may be delivered to another thread and end runp a moment later;
// the caller's exit is the fallback.
func raise(sig syscall.Signal, group bool) {
	if !group {
		_ = unix.Kill(os.Getpid(), sig)
	}
	time.Sleep(100 * time.Millisecond)
}
