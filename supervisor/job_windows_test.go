//go:build windows

package supervisor

import (
	"os"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"runp/internal/testenv"
	"runp/proc"
)

var procIsProcessInJob = kernel32.NewProc("IsProcessInJob")

// inJob reports whether the process id is in job j.
func inJob(t *testing.T, j *job, id proc.Identity) bool {
	t.Helper()
	// The full query right: wine's IsProcessInJob refuses the limited one,
	// which Windows accepts.
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_INFORMATION, false, uint32(id.PID))
	if err != nil {
		t.Fatalf("OpenProcess %d: %v", id.PID, err)
	}
	defer func() { _ = windows.CloseHandle(h) }() // best effort: nothing to flush
	var in int32
	if r, _, e := procIsProcessInJob.Call(uintptr(h), uintptr(j.h), uintptr(unsafe.Pointer(&in))); r == 0 {
		t.Fatalf("IsProcessInJob: %v", e)
	}
	return in != 0
}

// startInJob starts the spawn helper the way startPlain starts a command:
// suspended, put into j, resumed. It returns the identity of the process
// the helper started, which is born in the job, and a handle on it (closed
// in cleanup), which keeps its exit code readable.
func startInJob(t *testing.T, j *job) (proc.Identity, windows.Handle) {
	t.Helper()
	file := spawnFile(t)
	c := helperCmd("spawn", file)
	c.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_SUSPENDED}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Process.Kill() }) // best effort: it has exited if all went well
	var aerr error
	if err := c.Process.WithHandle(func(h uintptr) { aerr = j.assign(windows.Handle(h)) }); err != nil {
		t.Fatal(err)
	}
	if aerr != nil {
		t.Fatal(aerr)
	}
	if err := resumeProcess(c.Process.Pid); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("spawn helper: %v", err)
		}
	case <-time.After(time.Until(testenv.Deadline(t))):
		t.Fatal("the spawn helper did not exit")
	}
	id := spawned(t, file)
	t.Cleanup(func() { _ = proc.Signal(id, syscall.SIGKILL) }) // best effort: killed by the test, or left alive by it
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(id.PID))
	if err != nil {
		t.Fatalf("OpenProcess %d: %v", id.PID, err)
	}
	t.Cleanup(func() { _ = windows.CloseHandle(h) }) // best effort: nothing to flush
	if cur, err := proc.Read(id.PID); err != nil || !cur.Same(id) {
		t.Fatalf("pid %d is gone already: %v", id.PID, err)
	}
	return id, h
}

// What the job does for runp: the command's children are born in it, with
// no way out; terminating it ends them with exitCodeKilled; with
// kill-on-close off (--on-exit leave) they outlive its handle.
func TestJob(t *testing.T) {
	j, err := newJob()
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = j.close() // best effort
		}
	})
	id, h := startInJob(t, j)
	if !inJob(t, j, id) {
		t.Errorf("pid %d, started by a member, is not in the job", id.PID)
	}
	self, err := proc.Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if inJob(t, j, self) {
		t.Error("the test process is in the job")
	}
	if n, err := j.active(); err != nil || n != 1 {
		t.Errorf("active = %d, %v; want 1 (the helper has exited, its child runs)", n, err)
	}
	if err := j.terminate(); err != nil {
		t.Fatal(err)
	}
	if code := exitCodeOf(t, h); code != exitCodeKilled {
		t.Errorf("exit code %d after TerminateJobObject, want %d", code, exitCodeKilled)
	}
	stop := make(chan struct{})
	timer := time.AfterFunc(time.Until(testenv.Deadline(t)), func() { close(stop) })
	defer timer.Stop()
	if !j.waitEmpty(stop, 10*time.Millisecond) {
		t.Error("the job did not empty before the test's deadline")
	}

	// --on-exit leave.
	id, _ = startInJob(t, j)
	if err := j.setKillOnClose(false); err != nil {
		t.Fatal(err)
	}
	closed = true
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	if exits(t, id, 500*time.Millisecond) {
		t.Errorf("pid %d ended with the job's handle, kill-on-close off", id.PID)
	}
}

// With kill-on-close on, closing the handle, as runp's exit does however
// runp ends, kills the job's processes.
func TestJobKillOnClose(t *testing.T) {
	j, err := newJob()
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = j.close() // best effort: the test has failed
		}
	})
	id, _ := startInJob(t, j)
	closed = true
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	if !exits(t, id, time.Until(testenv.Deadline(t))) {
		t.Errorf("pid %d outlived the job's handle", id.PID)
	}
}

// exitCodeOf waits for the process behind h to exit and returns its exit code.
func exitCodeOf(t *testing.T, h windows.Handle) uint32 {
	t.Helper()
	ms := uint32(time.Until(testenv.Deadline(t)).Milliseconds())
	if ev, err := windows.WaitForSingleObject(h, ms); err != nil || ev != windows.WAIT_OBJECT_0 {
		t.Fatalf("the process did not exit: %#x, %v", ev, err)
	}
	var code uint32
	if err := windows.GetExitCodeProcess(h, &code); err != nil {
		t.Fatal(err)
	}
	return code
}
