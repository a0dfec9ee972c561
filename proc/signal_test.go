package proc

import (
	"errors"
	"runtime"
	"syscall"
	"testing"
)

func TestSignal(t *testing.T) { testSignal(t) }

// testSignal checks that Signal kills the right process, and only it.
func testSignal(t *testing.T) {
	c := startHelper(t, nil, "echo")
	id, err := Read(c.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}

	for _, wrong := range []Identity{
		{PID: id.PID, Start: id.Start + 1, Boot: id.Boot},
		{PID: id.PID, Start: id.Start - 1, Boot: id.Boot},
		{PID: id.PID, Start: id.Start, Boot: id.Boot + "x"},
	} {
		if err := Signal(wrong, syscall.SIGKILL); !errors.Is(err, ErrReused) {
			t.Errorf("Signal(%+v): %v, want ErrReused", wrong, err)
		}
	}
	if !c.Alive(t) {
		t.Fatal("a wrong identity got the process killed")
	}
	if err := Signal(id, 0); err != nil {
		t.Errorf("Signal(id, 0): %v", err)
	}
	if !c.Alive(t) {
		t.Fatal("signal 0 killed the process")
	}

	if err := Signal(id, syscall.SIGTERM); err != nil {
		t.Fatalf("Signal(id, SIGTERM): %v", err)
	}
	c.Wait(t)
	ws, _ := c.Cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case runtime.GOOS == "windows":
		if code := c.Cmd.ProcessState.ExitCode(); code != exitCodeSignalled {
			t.Errorf("exit code %d, want %d", code, exitCodeSignalled)
		}
	case !ws.Signaled() || ws.Signal() != syscall.SIGTERM:
		t.Errorf("helper ended with %v, want SIGTERM", c.Cmd.ProcessState)
	}

	if err := Signal(id, syscall.SIGTERM); !errors.Is(err, ErrGone) {
		t.Errorf("Signal(reaped): %v, want ErrGone", err)
	}
	if err := Signal(Identity{PID: -5}, syscall.SIGTERM); !errors.Is(err, ErrGone) {
		t.Errorf("Signal(pid -5): %v, want ErrGone", err)
	}
}
