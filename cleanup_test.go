//go:build linux

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"runp/internal/testenv"
	process "runp/proc"
)

// descendants collects the pids that a "leave" helper printed.
func descendants(t *testing.T, out string) []int {
	t.Helper()
	var pids []int
	for _, l := range strings.Split(out, "\n") {
		if pid := noteDescendant(l); pid > 0 {
			pids = append(pids, pid)
		}
	}
	if len(pids) == 0 {
		t.Fatalf("no descendant in output %q", out)
	}
	return pids
}

// starts records the start time of every descendant a helper reported.
var starts sync.Map // pid -> start time

// noteDescendant records a "descendant <pid> <start>" line and returns the
// pid, or 0 for another line.
func noteDescendant(line string) int {
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != "descendant" {
		return 0
	}
	pid, err1 := strconv.Atoi(f[1])
	start, err2 := strconv.ParseUint(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	starts.Store(pid, start)
	return pid
}

// alive reports whether the descendant pid still runs: the same process
// (by its start time: its PID may belong to another process by now), and
// not a zombie.
func alive(pid int) bool {
	id, err := process.Read(pid)
	if err != nil {
		return false
	}
	if start, ok := starts.Load(pid); ok && start.(uint64) != id.Start {
		return false
	}
	st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(st)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && s[i+2] != 'Z'
}

// TestCleanUpEscapees: whatever way a descendant tries to outlive the
// command, it is gone when runp returns, and runp returns the command's
// status.
func TestCleanUpEscapees(t *testing.T) {
	for _, how := range []string{"doublefork", "setsid", "pgrp", "ignoreterm", "storm"} {
		for _, mode := range [][]string{nil, {"--no-pty"}} {
			t.Run(how+strings.Join(mode, ""), func(t *testing.T) {
				r := run{flags: append([]string{"-v", "--grace", "300ms"}, mode...), helper: "leave", args: []string{how}}
				tag := newTag(t)
				cmd := r.command(t, tag)
				t.Cleanup(func() { killTagged(t, tag) })
				out, stderr, status := runToEnd(t, cmd)
				if status != 0 {
					t.Fatalf("runp: status %d:\n%s", status, stderr)
				}
				for _, pid := range descendants(t, out) {
					if alive(pid) {
						st, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
						t.Errorf("descendant %d still runs after runp returned:\n%s\nrunp's log:\n%s", pid, st, stderr)
					}
				}
				noLeaks(t, tag)
				if entries, _ := os.ReadDir(filepath.Join(stateDir(t), "sessions")); len(entries) != 0 {
					t.Errorf("session files left: %v", entries)
				}
			})
		}
	}
}

func TestNestedRunp(t *testing.T) {
	r := run{flags: []string{"--", runpBin, "--grace", "1s"}, helper: "leave", args: []string{"doublefork"}}
	// r.command puts "--" and the test binary after the flags: here the
	// outer runp runs an inner runp, which runs the helper.
	tag := newTag(t)
	cmd := r.command(t, tag)
	t.Cleanup(func() { killTagged(t, tag) })
	out, stderr, status := runToEnd(t, cmd)
	if status != 0 {
		t.Fatalf("runp: status %d:\n%s", status, stderr)
	}
	for _, pid := range descendants(t, out) {
		if alive(pid) {
			t.Errorf("descendant %d survived", pid)
		}
	}
	noLeaks(t, tag)
}

func TestOnExitLeave(t *testing.T) {
	tag := newTag(t)
	cmd := run{flags: []string{"--on-exit", "leave"}, helper: "leave", args: []string{"setsid"}}.command(t, tag)
	t.Cleanup(func() { killTagged(t, tag) })
	out, stderr, status := runToEnd(t, cmd)
	if status != 0 {
		t.Fatalf("runp: status %d:\n%s", status, stderr)
	}
	pid := descendants(t, out)[0]
	if !alive(pid) {
		t.Fatalf("descendant %d was killed despite --on-exit leave", pid)
	}
	if entries, _ := os.ReadDir(filepath.Join(stateDir(t), "sessions")); len(entries) != 0 {
		t.Errorf("the session is still registered: %v", entries)
	}
}

func TestOnExitWait(t *testing.T) {
	// The command exits; its descendant does not: runp must wait for it,
	// then return the command's status, without signalling anyone.
	p := start(t, run{flags: []string{"-v", "--on-exit", "wait"}, helper: "leave", args: []string{"setsid", "stay"}})
	d, _ := strconv.Atoi(strings.Fields(p.expect("descendant "))[1])
	_ = p.stdin.Close()
	testenv.WaitFor(t, "runp waiting for the descendant", func() bool {
		return strings.Contains(p.errors(), "waiting for descendants")
	})
	select {
	case <-p.done:
		t.Fatal("runp returned while a descendant still ran")
	default:
	}
	if !alive(d) {
		t.Fatal("the descendant was stopped")
	}
	if err := syscall.Kill(d, syscall.SIGKILL); err != nil { // it ends on its own, as far as runp knows
		t.Fatal(err)
	}
	if status := p.wait(); status != 0 {
		t.Fatalf("status %d", status)
	}
	if strings.Contains(p.errors(), "signalled") {
		t.Errorf("runp signalled something in wait mode:\n%s", p.errors())
	}
}

// TestSignalDuringCleanUpStopsRetries: runp told to stop while it cleans up
// a failed attempt does not start another one.
func TestSignalDuringCleanUpStopsRetries(t *testing.T) {
	p := start(t, run{flags: []string{"-v", "--retries", "2", "--grace", "5s"}, helper: "leave", args: []string{"ignoreterm", "fail"}})
	p.expect("descendant ")
	testenv.WaitFor(t, "the clean-up under way", func() bool { return strings.Contains(p.errors(), "signalled") })
	p.signal(syscall.SIGTERM) // skips the grace, and the retries
	if status := p.wait(); status != 1 {
		t.Fatalf("status %d, want the attempt's 1", status)
	}
	if strings.Contains(p.errors(), "attempt 2/3") {
		t.Fatalf("retried after SIGTERM:\n%s", p.errors())
	}
	noLeaks(t, p.tag)
}

// TestWaitTurnsIntoKillOnSignal: with --on-exit wait, a SIGTERM to runp
// stops the waiting and cleans the tree up.
func TestWaitTurnsIntoKillOnSignal(t *testing.T) {
	p := start(t, run{flags: []string{"--on-exit", "wait", "--grace", "200ms"}, helper: "leave", args: []string{"ignoreterm", "stay"}})
	d, _ := strconv.Atoi(strings.Fields(p.expect("descendant "))[1])
	child := childrenOf(t, p.cmd.Process.Pid)[0]
	_ = p.stdin.Close()
	waitGone(t, child, false)
	p.signal(syscall.SIGTERM)
	p.wait()
	if alive(d) {
		t.Fatalf("descendant %d survived", d)
	}
	noLeaks(t, p.tag)
}

// TestCrashRecovery: a runp killed with SIGKILL leaves its session behind;
// "runp reap" cleans its processes by identity and removes the session.
func TestCrashRecovery(t *testing.T) {
	p := start(t, run{helper: "leave", args: []string{"setsid", "stay"}})
	d, _ := strconv.Atoi(strings.Fields(p.expect("descendant "))[1])
	// Wait until the reaper has recorded the descendant.
	var sessions []sessionJSON
	testenv.WaitFor(t, "the descendant recorded", func() bool {
		out, _, _ := runpCLI(t, "ps", "--json")
		sessions = nil
		_ = json.Unmarshal([]byte(out), &sessions)
		for _, s := range sessions {
			for _, pr := range s.Processes {
				if pr.PID == d {
					return true
				}
			}
		}
		return false
	})
	if !sessions[0].Live {
		t.Fatal("ps says the session's runp is dead while it runs")
	}
	p.signal(syscall.SIGKILL)
	p.wait()
	if !alive(d) {
		t.Fatal("the descendant died with runp; nothing left to recover")
	}

	out, _, status := runpCLI(t, "reap", "--dry-run", "--json")
	var reports []recoveredJSON
	if err := json.Unmarshal([]byte(out), &reports); err != nil || status != 0 {
		t.Fatalf("reap --dry-run: status %d, %v: %s", status, err, out)
	}
	if len(reports) != 1 || !alive(d) {
		t.Fatalf("dry run: reports %+v; descendant alive: %v", reports, alive(d))
	}
	text, _, _ := runpCLI(t, "ps")
	if !strings.Contains(text, "dead: run 'runp reap'") {
		t.Errorf("ps does not show the dead session:\n%s", text)
	}

	out, stderr, status := runpCLI(t, "reap", "--json", "--grace", "1s")
	if status != 0 {
		t.Fatalf("reap: status %d: %s", status, stderr)
	}
	reports = nil
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatal(err)
	}
	signalled := false
	for _, pr := range reports[0].Processes {
		if pr.PID == d && pr.Signal == "SIGTERM" {
			signalled = true
		}
	}
	if !signalled {
		t.Errorf("report does not show the descendant signalled: %s", out)
	}
	waitGone(t, d, true)
	if out, _, _ := runpCLI(t, "ps", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("sessions left after reap: %s", out)
	}
	noLeaks(t, p.tag)
}

// TestStateDirUnusable: the command runs, its tree is cleaned, runp warns
// once, when it first needs the state dir.
func TestStateDirUnusable(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "link")
	if err := os.Symlink(t.TempDir(), bad); err != nil {
		t.Fatal(err)
	}
	p := start(t, run{flags: []string{"--reap-interval", "20ms"}, helper: "leave", args: []string{"setsid", "stay"},
		env: []string{"RUNP_STATE_DIR=" + bad}})
	d, _ := strconv.Atoi(strings.Fields(p.expect("descendant "))[1])
	testenv.WaitFor(t, "the warning", func() bool { return strings.Contains(p.errors(), "runp: state dir unusable") })
	_ = p.stdin.Close()
	if status := p.wait(); status != 0 {
		t.Fatalf("status %d", status)
	}
	if n := strings.Count(p.errors(), "\n"); n != 1 {
		t.Errorf("want one warning line, got %q", p.errors())
	}
	if alive(d) {
		t.Errorf("descendant %d survived", d)
	}
	noLeaks(t, p.tag)
}

func TestReapPIDReuseIsNeverSignalled(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("forcing a PID to be reused needs root (ns_last_pid in a new PID namespace)")
	}
	unshare := mustLook(t, "unshare")
	if err := exec.Command(unshare, "--pid", "--fork", "--kill-child", "--mount-proc", "true").Run(); err != nil {
		t.Skipf("cannot make a PID namespace: %v", err)
	}
	tag := newTag(t)
	// --kill-child: if the deadline kills unshare, the namespace goes too.
	cmd := exec.Command(unshare, "--pid", "--fork", "--kill-child", "--mount-proc", os.Args[0], runpBin, t.TempDir())
	cmd.Env = append(os.Environ(), helperEnv+"=reuse", tagEnv+"="+tag)
	t.Cleanup(func() { killTagged(t, tag) })
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := testenv.Run(t, cmd); err != nil || !strings.Contains(out.String(), "reuse: ok") {
		t.Fatalf("%v:\n%s", err, out.String())
	}
}

// TestCrashRecoveryByNextRunp: the next runp on the same state dir cleans up
// after a runp killed with SIGKILL, in the background, while its own command
// runs.
func TestCrashRecoveryByNextRunp(t *testing.T) {
	p := start(t, run{helper: "leave", args: []string{"setsid", "stay"}})
	d, _ := strconv.Atoi(strings.Fields(p.expect("descendant "))[1])
	testenv.WaitFor(t, "the session recorded", func() bool {
		out, _, _ := runpCLI(t, "ps", "--json")
		return strings.Contains(out, `"pid": `+strconv.Itoa(d)+",")
	})
	p.signal(syscall.SIGKILL)
	p.wait()
	if !alive(d) {
		t.Fatal("the descendant died with runp; nothing left to recover")
	}
	next := start(t, run{helper: "sleep"})
	next.expect("ready")
	waitGone(t, d, true)
	testenv.WaitFor(t, "the dead session removed", func() bool {
		out, _, _ := runpCLI(t, "ps", "--json")
		var sessions []sessionJSON
		_ = json.Unmarshal([]byte(out), &sessions)
		return len(sessions) == 1 && sessions[0].RunpPID == next.cmd.Process.Pid
	})
	next.signal(syscall.SIGTERM)
	next.wait()
	noLeaks(t, p.tag)
}
