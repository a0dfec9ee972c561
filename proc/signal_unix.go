//go:build linux || darwin

package proc

import "golang.org/x/sys/unix"

// SignalName is the signal's name, "SIGTERM".
func SignalName(sig unix.Signal) string { return unix.SignalName(sig) }

// Continue sends SIGCONT after a stop signal: a stopped process would
// otherwise hold the signal pending until the grace runs out.
func Continue(id Identity) { _ = Signal(id, unix.SIGCONT) } // best effort
