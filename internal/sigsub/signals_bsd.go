//go:build unix && !linux

package sigsub

import "syscall"

// lastSignal is the highest signal number.
const lastSignal = 31

func reserved(syscall.Signal) bool { return false }
