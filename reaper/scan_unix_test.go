//go:build unix

package reaper

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"runp/registry"
)

// TestScanRecordsAndDrops: a reaper rooted at this process (as a subreaper
// is) records the descendants of the child it started, with their command
// lines, leaves alone a child without the session's cookie, and drops a
// process once it is dead.
func TestScanRecordsAndDrops(t *testing.T) {
	id := registry.NewID()
	other := exec.Command("sleep", "3600") // a child of ours that is not the session's
	cmd := exec.Command("sh", "-c", "sleep 3600 & echo $!; wait")
	cmd.Env = append(os.Environ(), SessionKey+"="+id)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*exec.Cmd{other, cmd} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Process.Kill(); _ = c.Wait() })
	}
	var sleeper int
	if _, err := fmt.Fscan(out, &sleeper); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(sleeper, syscall.SIGKILL) })
	r := New(Options{Root: os.Getpid(), Session: registry.Session{ID: id}})
	self, err := Read(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	r.TrackID(self, os.Getpid(), registry.RoleChild) // as the supervisor does
	recorded := func(pid int) registry.Process {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.tracked[pid]
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.Scan()
		if recorded(sleeper).Command == "sleep 3600" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not recorded with its command: %+v", recorded(sleeper))
		}
		time.Sleep(time.Millisecond)
	}
	if recorded(other.Process.Pid).PID != 0 {
		t.Fatal("a child without the session's cookie was recorded")
	}
	_ = syscall.Kill(sleeper, syscall.SIGKILL)
	waitDead := time.Now().Add(10 * time.Second)
	for recorded(sleeper).PID != 0 {
		if time.Now().After(waitDead) {
			t.Fatal("a dead process is still tracked")
		}
		time.Sleep(time.Millisecond)
		r.Scan()
	}
}

// TestFirstTickDespiteWakes: the first tick (which records the session and
// runs FirstTick) comes one interval after the start even when wakes keep
// arriving sooner than that, as SIGCHLDs of a busy command do.
func TestFirstTickDespiteWakes(t *testing.T) {
	first := make(chan struct{})
	r := New(Options{Root: os.Getpid(), Session: registry.Session{ID: registry.NewID()},
		FirstTick: func() { close(first) }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx, 50*time.Millisecond) }()
	defer func() { cancel(); <-done }()
	wakes := time.NewTicker(5 * time.Millisecond)
	defer wakes.Stop()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case <-first:
			return
		case <-wakes.C:
			r.Wake()
		case <-deadline:
			t.Fatal("no first tick in 10s while woken every 5ms")
		}
	}
}

// TestScanRereadsUntilExec: a process first seen between its fork and its
// exec is recorded with its parent's command; scans after that, however
// many, record the command it runs once it has run its exec.
func TestScanRereadsUntilExec(t *testing.T) {
	id := registry.NewID()
	gateR, gateW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer gateR.Close()
	defer gateW.Close()
	// The subshell is a fork of sh that waits on the gate before its exec.
	cmd := exec.Command("sh", "-c", "(read x <&3; exec sleep 3600) & echo $!; wait")
	cmd.Env = append(os.Environ(), SessionKey+"="+id)
	cmd.ExtraFiles = []*os.File{gateR}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var sub int
	if _, err := fmt.Fscan(out, &sub); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(sub, syscall.SIGKILL) })
	r := New(Options{Root: os.Getpid(), Session: registry.Session{ID: id}})
	self, err := Read(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	r.TrackID(self, os.Getpid(), registry.RoleChild)
	recorded := func() string {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.tracked[sub].Command
	}
	for range 3 {
		r.Scan()
	}
	if got := recorded(); got != "sh -c (read x <&3; exec sleep 3600) & echo $!; wait" {
		t.Fatalf("before its exec the subshell is recorded as %q", got)
	}
	if _, err := gateW.Write([]byte("go\n")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(execGrace / 2)
	for recorded() != "sleep 3600" {
		if time.Now().After(deadline) {
			t.Fatalf("after its exec the subshell is still recorded as %q", recorded())
		}
		time.Sleep(time.Millisecond)
		r.Scan()
	}
}
