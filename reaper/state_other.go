//go:build !linux && !darwin

package reaper

import (
	"os"
	"strconv"
	"syscall"
)

// exited: on Windows an exited process already reads as gone (see read).
func exited(int) bool { return false }

// signalName names the signals runp uses; Windows has none to report.
func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return "signal " + strconv.Itoa(int(sig))
}

// wakeStopped: Windows has no stopped state to wake from.
func wakeStopped(Identity) {}

// procMatches: no /proc and no PID namespaces here.
func procMatches() bool { return true }

// pidStamp: no cheap "a process was created" counter here; every tick walks.
func pidStamp() (uint64, bool) { return 0, false }

// hasCookie: runp is a subreaper on Linux only, where the question arises.
func hasCookie(int, uint64, string) (has, sure bool) { return false, false }

// ownTree: no per-thread children lists here; the snapshot is whole anyway.
func ownTree([]int) ([]Proc, error) { return Tree(os.Getpid()) }
