//go:build unix

package reaper

import (
	"os"
	"os/exec"
	"testing"

	"runp/proc"
)

// TestSessionIDNamesItsOwner: a session id names this process, its state
// dir, and parses back; other ids do not parse.
func TestSessionIDNamesItsOwner(t *testing.T) {
	id := NewSessionID("/some/state")
	o, ok := parseOwner(id)
	if !ok {
		t.Fatalf("%s does not parse", id)
	}
	me, err := proc.Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if o.PID != os.Getpid() || o.Start != me.Start || o.Ino != me.Ino || o.Dir != dirHash("/some/state") || o.NS != pidNS() {
		t.Fatalf("%s parses as %+v", id, o)
	}
	if o.dead() {
		t.Fatal("this process is said to be dead")
	}
	for _, bad := range []string{"20261206T090620Z-2d00decb956bb547", "a.1.2.3.4", "a.x.2.3.4.0000000000000000",
		"a.0.2.3.4.0000000000000000",
		"a.1.0.3.4.0000000000000000", // start 0: what a failed read of runp itself writes, which proves no death
		"a.1.2.3.4.00", "a.1.2.3.4.0000000000000000.5"} {
		if _, ok := parseOwner(bad); ok {
			t.Errorf("%q parses", bad)
		}
	}
}

// TestOwnerDead: an owner that exited, or whose PID names another process
// now, is dead; one in another PID namespace is never judged.
func TestOwnerDead(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	me := self()
	gone := owner{PID: cmd.Process.Pid, Start: 1, NS: me.NS}
	if !gone.dead() {
		t.Errorf("an exited process is not dead")
	}
	other := owner{PID: me.PID, Start: me.Start + 1, NS: me.NS}
	if !other.dead() {
		t.Errorf("a PID that names another process now does not make its owner dead")
	}
	if me.Ino != 0 && !(owner{PID: me.PID, Start: me.Start, Ino: me.Ino + 1, NS: me.NS}).dead() {
		t.Errorf("a PID and start time that name another process (pidfs inode) do not make the owner dead")
	}
	if (owner{PID: cmd.Process.Pid, Start: 1, NS: me.NS + 1}).dead() {
		t.Errorf("an owner of another PID namespace is judged dead")
	}
}
