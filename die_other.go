//go:build !unix

package main

import "syscall"

// die: Windows has no signals to die of; the caller exits 128+N.
func die(syscall.Signal, bool) {}
