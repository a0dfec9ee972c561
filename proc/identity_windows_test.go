//go:build windows

package proc

import (
	"errors"
	"syscall"
	"testing"

	"golang.org/x/sys/windows"
)

// An exited process whose object a handle keeps (as runp's handle on its
// child does, and any other program's may) still has its PID and its
// creation time: it is gone all the same, for Read and for Signal, which
// must neither call it alive nor try to kill it.
func TestReadHeldExited(t *testing.T) {
	c := startHelper(t, nil, "echo")
	pid := c.Cmd.Process.Pid
	id, err := Read(pid)
	if err != nil {
		t.Fatal(err)
	}
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = windows.CloseHandle(h) }() // best effort: nothing to flush
	_ = c.Stdin.Close()                           // EOF: the helper exits
	c.Wait(t)
	if got, err := Read(pid); !errors.Is(err, ErrGone) {
		t.Errorf("Read(exited, held %d) = %+v, %v; want ErrGone", pid, got, err)
	}
	if err := Signal(id, syscall.SIGKILL); !errors.Is(err, ErrGone) {
		t.Errorf("Signal(exited, held %d): %v, want ErrGone", pid, err)
	}
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err != nil || code != 0 {
		t.Errorf("exit code %d, %v; want 0, untouched by Signal", code, err)
	}
}
