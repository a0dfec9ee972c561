package reaper

import (
	"errors"
	"syscall"
	"testing"
	"time"

	"runp/proc"
)

// TestStopConhosts uses helper processes as stand-ins: what StopConhosts
// does with an identity does not depend on the program behind it.
func TestStopConhosts(t *testing.T) {
	quits := startHelper(t, nil, "echo") // has exited by itself
	hangs := startHelper(t, nil, "echo") // must be killed
	bystander := startHelper(t, nil, "echo")
	ids := readAll(t, []int{quits.Cmd.Process.Pid, hangs.Cmd.Process.Pid, bystander.Cmd.Process.Pid})
	quitID, hangID, bystanderID := ids[0], ids[1], ids[2]
	// The bystander is recorded with a start that is not its own: its PID
	// was "reused", and a reused PID must never be signalled.
	stale := proc.Identity{PID: bystanderID.PID, Start: bystanderID.Start + 1, Boot: bystanderID.Boot}

	_ = quits.Stdin.Close() // EOF: the helper exits on its own
	quits.Wait(t)
	killed := StopConhosts([]proc.Identity{quitID, hangID, stale}, 50*time.Millisecond)

	if len(killed) != 1 || killed[0].PID != hangID.PID || killed[0].Signal != syscall.SIGKILL {
		t.Errorf("StopConhosts killed %+v, want only pid %d", killed, hangID.PID)
	}
	hangs.Wait(t)
	if !bystander.Alive(t) {
		t.Error("a process whose identity did not match was killed")
	}
	if err := proc.Signal(bystanderID, 0); err != nil {
		t.Errorf("bystander: %v", err)
	}
	if got := StopConhosts(nil, time.Second); got != nil {
		t.Errorf("StopConhosts(nil) = %v", got)
	}
	// Gone and reused identities are no error and kill nothing.
	if got := StopConhosts([]proc.Identity{hangID, stale}, 0); len(got) != 0 {
		t.Errorf("StopConhosts of gone and reused ids killed %+v", got)
	}
	if err := proc.Signal(hangID, 0); !errors.Is(err, proc.ErrGone) && !errors.Is(err, proc.ErrReused) {
		t.Errorf("killed helper: %v, want gone", err)
	}
}
