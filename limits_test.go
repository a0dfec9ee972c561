//go:build linux

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"runp/supervisor"
)

func TestTimeout(t *testing.T) {
	for _, mode := range [][]string{nil, {"--no-pty"}} {
		tag := newTag(t)
		cmd := run{flags: append([]string{"--timeout", "2s", "--grace", "200ms"}, mode...), helper: "leave", args: []string{"ignoreterm", "stay"}}.command(t, tag)
		t.Cleanup(func() { killTagged(t, tag) })
		cmd.Stdin = openStdin(t)
		out, stderr, status := runToEnd(t, cmd)
		if status != 124 {
			t.Fatalf("%v: status %d, want 124", mode, status)
		}
		if !strings.Contains(stderr, "runp: timed out after 2s") {
			t.Errorf("%v: stderr %q does not say which limit fired", mode, stderr)
		}
		for _, pid := range descendants(t, string(out)) {
			if alive(pid) {
				t.Errorf("descendant %d (ignores SIGTERM) survived the timeout", pid)
			}
		}
		noLeaks(t, tag)
	}
}

func TestIdleTimeout(t *testing.T) {
	for _, mode := range [][]string{nil, {"--no-pty"}} {
		tag := newTag(t)
		// The helper prints once, then nothing: idle.
		cmd := run{flags: append([]string{"--idle-timeout", "300ms"}, mode...), helper: "sleep"}.command(t, tag)
		t.Cleanup(func() { killTagged(t, tag) })
		_, stderr, status := runToEnd(t, cmd)
		if status != 124 {
			t.Fatalf("%v: status %d, want 124", mode, status)
		}
		if !strings.Contains(stderr, "runp: no output for 300ms (idle timeout)") {
			t.Errorf("%v: stderr %q", mode, stderr)
		}
		noLeaks(t, tag)
	}
	// Output keeps an attempt alive: a line every 50 ms for 3 s outlasts an
	// idle limit of 2 s that a silent command would hit.
	out, stderr, status := runOnce(t, run{flags: []string{"--idle-timeout", "2s"}, helper: "drip", args: []string{"60", "50ms"}})
	if status != 0 || strings.Count(out, "drip") != 60 {
		t.Fatalf("a busy command: status %d, output %q, stderr %q", status, out, stderr)
	}
}

func TestRetries(t *testing.T) {
	_, stderr, status := runOnce(t, run{flags: []string{"--retries", "2"}, helper: "exit", args: []string{"3"}})
	if status != 3 {
		t.Fatalf("status %d, want the last attempt's 3", status)
	}
	want := "runp: attempt 2/3 after exit status 3\nrunp: attempt 3/3 after exit status 3\n"
	if stderr != want {
		t.Fatalf("stderr %q, want %q", stderr, want)
	}
	// A success ends the retries: "flaky" fails until its counter file says 2.
	counter := filepath.Join(t.TempDir(), "count")
	_, stderr, status = runOnce(t, run{flags: []string{"--retries", "5", "--retry-delay", "10ms"}, helper: "flaky", args: []string{counter, "2"}})
	if status != 0 || strings.Count(stderr, "runp: attempt") != 2 {
		t.Fatalf("status %d, stderr %q: want success at attempt 3", status, stderr)
	}
	// A timeout is a failure too.
	_, stderr, status = runOnce(t, run{flags: []string{"--retries", "1", "--timeout", "200ms"}, helper: "sleep"})
	if status != 124 || !strings.Contains(stderr, "runp: attempt 2/2 after timeout") {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
}

// TestRetriesCleanSlate: each attempt starts after the previous attempt's
// tree is gone.
func TestRetriesCleanSlate(t *testing.T) {
	tag := newTag(t)
	cmd := run{flags: []string{"--retries", "2"}, helper: "leave", args: []string{"setsid", "fail"}}.command(t, tag)
	t.Cleanup(func() { killTagged(t, tag) })
	out, _, _ := runToEnd(t, cmd) // the status is the command's failure
	pids := descendants(t, out)
	if len(pids) != 3 {
		t.Fatalf("want 3 attempts, got descendants %v", pids)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("descendant %d survived", pid)
		}
	}
	noLeaks(t, tag)
}

func readReport(t *testing.T, path string) runReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r runReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("report %s: %v", b, err)
	}
	return r
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	// The limit must fire after the helper ignores SIGTERM: 2s leaves a
	// loaded machine room for its start.
	_, _, status := runOnce(t, run{flags: []string{"--report", path, "--retries", "1", "--timeout", "2s", "--grace", "100ms"},
		helper: "leave", args: []string{"ignoreterm", "stay"}, stdin: openStdin(t)})
	if status != 124 {
		t.Fatalf("status %d", status)
	}
	r := readReport(t, path)
	if r.RunpVersion != version || r.ExitCode != 124 || len(r.Attempts) != 2 || len(r.Argv) != 3 {
		t.Fatalf("report %+v", r)
	}
	for _, a := range r.Attempts {
		if a.Limit != string(supervisor.LimitTimeout) || a.ExitCode != 124 || a.Seconds <= 0 || a.Ended.Before(a.Started) {
			t.Errorf("attempt %+v", a)
		}
		sigkilled := false
		for _, k := range a.Killed {
			if k.Signal == "SIGKILL" && strings.Contains(k.Command, os.Args[0]) {
				sigkilled = true
			}
		}
		if !sigkilled {
			t.Errorf("the SIGTERM-ignoring descendant is not reported as SIGKILLed: %+v", a.Killed)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temp files left beside the report: %v", entries)
	}

	// A signal to runp ends the run; the report is still written.
	path2 := filepath.Join(dir, "signal.json")
	p := start(t, run{flags: []string{"--report", path2}, helper: "sleep"})
	p.expect("ready")
	p.signal(syscall.SIGTERM)
	if status := p.wait(); status != 143 {
		t.Fatalf("status %d", status)
	}
	if r := readReport(t, path2); r.ExitCode != 143 || len(r.Attempts) != 1 || r.Attempts[0].Signal != "SIGTERM" {
		t.Fatalf("report after SIGTERM: %+v", r)
	}
}

// openStdin is a stdin that never reaches EOF during the test.
func openStdin(t *testing.T) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(); _ = w.Close() })
	return r
}

// TestTimeoutShorterThanTheStart: a limit that fires before runp has
// recorded the command (--timeout 1ns) still stops it. It used to find the
// tree empty about every other run, and the command ran to its end. The
// command here would run for an hour.
func TestTimeoutShorterThanTheStart(t *testing.T) {
	for i := range 20 {
		mode := []string{"--timeout", "1ns", "--grace", "100ms"}
		if i%2 == 1 {
			mode = append(mode, "--no-pty")
		}
		_, stderr, status := runOnce(t, run{flags: mode, helper: "sleep", stdin: openStdin(t)})
		if status != 124 {
			t.Fatalf("run %d %v: status %d, want 124; stderr:\n%s", i, mode, status, stderr)
		}
	}
}
