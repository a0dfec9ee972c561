package reaper

import (
	"os"
	"testing"

	"runp/proc"
	"runp/registry"
)

// TestTrackIDHolds: a Reaper holds a pidfd on each process it tracks, by
// which a reaped process classifies as dead whoever gets its PID, and Close
// lets go of it.
func TestTrackIDHolds(t *testing.T) {
	c := startHelper(t, nil, "echo")
	id, err := proc.Read(c.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	r := New(Options{Root: os.Getpid(), Session: registry.Session{ID: registry.NewID()}})
	r.TrackID(id, os.Getpid(), registry.RoleChild)
	if alive, ok := proc.Held(id); !ok || !alive {
		t.Fatalf("not held: %v %v", alive, ok)
	}
	if got := r.tracked[id.PID]; got.PID != id.PID || got.Ino != id.Ino {
		t.Errorf("tracked %+v, want %v", got, id)
	}
	_ = c.Stdin.Close()
	c.Wait(t)
	if st := r.classify(r.tracked[id.PID]); st != stateDead {
		t.Errorf("classified %v, want dead", st)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := proc.Held(id); ok {
		t.Error("Close left the pidfd open")
	}
}
