package reaper

import (
	"syscall"
	"time"

	"runp/proc"
)

// StopConhosts ends the console hosts that runp recorded for a pseudo
// console it has closed. A conhost exits by itself once its pseudo console
// is closed and its clients are gone; StopConhosts waits up to grace for
// that, then terminates each survivor through Signal, which verifies the
// identity first, so a PID that now names another process is never touched.
// It returns the conhosts it had to kill.
//
// Call it only after ClosePseudoConsole: before that, the conhost still
// serves its clients, and killing it would cut their console from under them.
func StopConhosts(ids []proc.Identity, grace time.Duration) []Killed {
	survivors := waitExit(ids, grace)
	var killed []Killed
	for _, id := range survivors {
		cmd := proc.Cmdline(id.PID)
		if err := proc.Signal(id, syscall.SIGKILL); err != nil {
			continue // gone meanwhile, or reused: nothing of ours to kill
		}
		killed = append(killed, Killed{PID: id.PID, Command: cmd, Signal: syscall.SIGKILL, SignalName: proc.SignalName(syscall.SIGKILL)})
	}
	return killed
}

// waitExit polls until every id has exited (gone, or a zombie waiting for
// its parent) or bound has passed, and returns those still running.
func waitExit(ids []proc.Identity, bound time.Duration) []proc.Identity {
	deadline := time.Now().Add(bound)
	for {
		var running []proc.Identity
		for _, id := range ids {
			if proc.Signal(id, 0) == nil && !proc.Exited(id.PID) {
				running = append(running, id)
			}
		}
		if len(running) == 0 || time.Now().After(deadline) {
			return running
		}
		ids = running
		time.Sleep(pollEvery)
	}
}
