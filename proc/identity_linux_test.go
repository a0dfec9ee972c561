//go:build linux

package proc

import (
	"errors"
	"os"
	ossignal "os/signal"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestReadExact: on pidfs, Read gives the inode number of a pidfd on the
// process, the same for every pidfd on it and different for every process.
func TestReadExact(t *testing.T) {
	if !pidfs() {
		t.Skip("no pidfs (Linux < 6.9): identity is exact to the clock tick only")
	}
	self, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.PidfdOpen(os.Getpid(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	if self.Ino == 0 || self.Ino != st.Ino {
		t.Errorf("Read(self).Ino = %d, pidfd inode %d", self.Ino, st.Ino)
	}
	c := startHelper(t, nil, "echo")
	child, err := Read(c.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if child.Ino == 0 || child.Ino == self.Ino {
		t.Errorf("child's ino %d, self's %d", child.Ino, self.Ino)
	}
	// The same PID and start time with another inode number is another
	// process: what a PID reused within the same clock tick looks like.
	other := child
	other.Ino++
	if err := Signal(other, syscall.SIGTERM); !errors.Is(err, ErrReused) {
		t.Errorf("Signal with another ino: %v, want ErrReused", err)
	}
	if !c.Alive(t) {
		t.Error("signalled through a mismatched identity")
	}
}

// TestHeldPidfd: a held pidfd (what a Reaper keeps for each tracked
// process) carries the signal; once the process is reaped the identity is
// void, whoever gets the PID. Past the descriptor budget, the identity goes
// on as recorded, still exact on pidfs (a fresh pidfd's inode is compared).
func TestHeldPidfd(t *testing.T) {
	c := startHelper(t, nil, "echo")
	id, err := Read(c.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	hold := func(id Identity) {
		t.Helper()
		s, err := Look(id.PID)
		if err != nil || !s.ID.Same(id) {
			t.Fatalf("Look(%d) = %v, %v; want %v", id.PID, s.ID, err, id)
		}
		s.Hold()
	}
	hold(id)
	if alive, ok := heldAlive(id); !ok || !alive {
		t.Fatalf("not held: %v %v", alive, ok)
	}
	if err := Signal(id, 0); err != nil {
		t.Fatal(err)
	}
	_ = c.Stdin.Close()
	c.Wait(t)
	if alive, ok := heldAlive(id); !ok || alive {
		t.Errorf("held pidfd of a reaped process: alive %v, held %v", alive, ok)
	}
	if err := Signal(id, syscall.SIGTERM); !errors.Is(err, ErrGone) {
		t.Errorf("Signal to a reaped process: %v, want ErrGone", err)
	}
	if obs := Observe(id); !obs.Gone {
		t.Errorf("observed %+v, want gone", obs)
	}
	Release(id)
	if _, ok := heldAlive(id); ok {
		t.Error("Release left the pidfd open")
	}

	// No descriptor to spare.
	budget := fdBudget
	fdBudget = func() int { return 0 }
	t.Cleanup(func() { fdBudget = budget })
	c2 := startHelper(t, nil, "echo")
	id2, err := Read(c2.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	hold(id2)
	if _, ok := heldAlive(id2); ok {
		t.Error("held beyond the budget")
	}
	if err := Signal(id2, syscall.SIGTERM); err != nil {
		t.Errorf("Signal without a held pidfd: %v", err)
	}
	c2.Wait(t)
}

// TestSignalRefusesSelf: #11 point 4; whatever the identity says, runp does
// not signal itself.
func TestSignalRefusesSelf(t *testing.T) {
	got := make(chan os.Signal, 1)
	ossignal.Notify(got, syscall.SIGTERM)
	defer ossignal.Stop(got)
	self, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := Signal(self, syscall.SIGTERM); !errors.Is(err, ErrProtected) {
		t.Errorf("Signal(self): %v, want ErrProtected", err)
	}
	if err := Signal(self, 0); err != nil {
		t.Errorf("Signal(self, 0) only checks: %v", err)
	}
	for _, pid := range append([]int{1}, ancestors()...) {
		if err := protect(pid); !errors.Is(err, ErrProtected) {
			t.Errorf("protect(%d): %v, want ErrProtected", pid, err)
		}
	}
	select {
	case <-got:
		t.Error("runp signalled itself")
	case <-time.After(50 * time.Millisecond): // a sent signal is pending by now
	}
}

// TestNoSIGKILLToLiveRunp: a process that runs runp's own executable (here
// the test binary) gets the stop signal, never SIGKILL.
func TestNoSIGKILLToLiveRunp(t *testing.T) {
	isRunp = sameExe
	t.Cleanup(func() { isRunp = func(int) bool { return false } })
	c := startHelper(t, nil, "echo")
	id, err := Read(c.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := Signal(id, syscall.SIGKILL); !errors.Is(err, ErrProtected) {
		t.Errorf("SIGKILL to a runp: %v, want ErrProtected", err)
	}
	if !c.Alive(t) {
		t.Fatal("SIGKILLed")
	}
	if err := Signal(id, syscall.SIGTERM); err != nil {
		t.Errorf("the stop signal to a runp: %v", err)
	}
	c.Wait(t)
}
