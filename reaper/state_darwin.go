//go:build darwin

package reaper

import (
	"os"

	"golang.org/x/sys/unix"
)

// sZomb is SZOMB from <sys/proc.h>: a process that exited and waits for its parent.
const sZomb = 5

// exited reports whether pid is a zombie: dead, only waiting for its parent.
func exited(pid int) bool {
	k, err := readKinfo(pid)
	return err == nil && k.Proc.P_stat == sZomb
}

func signalName(sig unix.Signal) string { return unix.SignalName(sig) }

// wakeStopped sends SIGCONT after a stop signal: a stopped process would
// otherwise hold the signal pending until the grace runs out.
func wakeStopped(id Identity) { _ = Signal(id, unix.SIGCONT) } // best effort

// procMatches: darwin has no /proc and no PID namespaces.
func procMatches() bool { return true }

// pidStamp: no cheap "a process was created" counter here; every tick walks.
func pidStamp() (uint64, bool) { return 0, false }

// hasCookie: runp is a subreaper on Linux only, where the question arises.
func hasCookie(int, uint64, string) (has, sure bool) { return false, false }

// ownTree: no per-thread children lists here; the snapshot is whole anyway.
func ownTree([]int) ([]Proc, error) { return Tree(os.Getpid()) }
