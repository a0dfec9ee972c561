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

	"runp/internal/testenv"
	"runp/proc"
	"runp/registry"
)

// TestScanRecordsAndDrops: a reaper rooted at this process (as a subreaper
// is) records the descendants of the child it started, with their command
// lines, leaves alone a child without the session's cookie, and drops a
// process once it is dead.
func TestScanRecordsAndDrops(t *testing.T) {
	other := exec.Command("sleep", "3600") // a child of ours that is not the session's
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Process.Kill(); _ = other.Wait() })
	r, sleeper := startSession(t, "sleep 3600 & echo $!; wait")
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
	gateR, gateW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer gateR.Close()
	defer gateW.Close()
	// The subshell is a fork of sh that waits on the gate before its exec.
	r, sub := startSession(t, "(read x <&3; exec sleep 3600) & echo $!; wait", gateR)
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

// startSession starts sh -c script as the command of a new session, with
// files as its fds 3 and up, and returns a reaper rooted at this process (as
// a subreaper is) that tracks it, and the PID the script prints first. Both
// processes are killed in cleanup.
func startSession(t *testing.T, script string, files ...*os.File) (*Reaper, int) {
	t.Helper()
	id := registry.NewID()
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(os.Environ(), SessionKey+"="+id)
	cmd.ExtraFiles = files
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// A pipe's read end takes a deadline: a script that never prints fails
	// the test in time.
	if err := out.(*os.File).SetReadDeadline(testenv.Deadline(t)); err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Fscan(out, &pid); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	r := New(Options{Root: os.Getpid(), Session: registry.Session{ID: id}})
	self, err := proc.Read(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	r.TrackID(self, os.Getpid(), registry.RoleChild) // as the supervisor does
	return r, pid
}
