//go:build linux

package reaper

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// exited reports whether pid is a zombie: dead, only waiting for its parent.
func exited(pid int) bool {
	pb := getBuf()
	defer putBuf(pb)
	st, err := readStat(pid, pb)
	return err == nil && (st.state == 'Z' || st.state == 'X')
}

func signalName(sig unix.Signal) string { return unix.SignalName(sig) }

// wakeStopped sends SIGCONT after a stop signal: a stopped process would
// otherwise hold the signal pending until the grace runs out.
func wakeStopped(id Identity) { _ = Signal(id, unix.SIGCONT) } // best effort

// procMatches reports whether /proc is this PID namespace's: /proc/self
// names our own PID. In a new PID namespace whose /proc was not mounted anew
// it names our PID in the parent namespace instead.
func procMatches() bool {
	self, err := os.Readlink("/proc/self")
	return err == nil && self == strconv.Itoa(os.Getpid())
}
