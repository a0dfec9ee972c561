//go:build windows

package main

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"runp/internal/testenv"
	process "runp/proc"
	"runp/supervisor"
)

func TestE2EExitCodes(t *testing.T) {
	e := newE2E(t)
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"--no-pty", "--", "cmd", "/c", "exit", "0"}, 0},
		{[]string{"--no-pty", "--", "cmd", "/c", "exit", "7"}, 7},
		{[]string{"--", "cmd", "/c", "exit", "7"}, 7}, // through a pseudo console
		// Windows exit codes are 32 bits, and runp's is the command's.
		{[]string{"--no-pty", "--", "cmd", "/c", "exit", "300"}, 300},
		{[]string{"--no-such-option", "--", "cmd", "/c", "exit", "0"}, supervisor.ExitRunpFailed},
		{[]string{"--", "runp-no-such-command"}, supervisor.ExitNotFound},
		{[]string{"--no-pty", "--", "runp-no-such-command"}, supervisor.ExitNotFound},
	} {
		if r := e.run(tc.args...); r.code != tc.want {
			t.Errorf("runp %q: exit %d, want %d", tc.args, r.code, tc.want)
		}
	}
}

// With --no-pty the command writes to runp's stdout and stderr, apart.
func TestE2ENoPTYOutput(t *testing.T) {
	e := newE2E(t)
	r := e.run("--no-pty", "--", "cmd", "/c", "echo", "to-stdout&", "echo", "to-stderr", "1>&2")
	if r.code != 0 || !strings.Contains(r.stdout, "to-stdout") || strings.Contains(r.stdout, "to-stderr") ||
		!strings.Contains(r.stderr, "to-stderr") {
		t.Errorf("exit %d, stdout %q, stderr %q; want each line on its own stream", r.code, r.stdout, r.stderr)
	}
}

// A process the command left behind with start /b is gone when runp
// returns, and --report names it among the killed.
func TestE2ELeftoverGone(t *testing.T) {
	modes(t, func(t *testing.T, flags []string) {
		e := newE2E(t)
		left, report := e.file("left"), e.file("report.json")
		// cmd starts the leftover in the background, waits until it runs,
		// and exits.
		r := e.run(cat(flags, []string{"--report", report, "--", "cmd", "/c", "start", "/b"},
			e.helper("sleep", left), []string{"&"}, e.helper("waitfile", left))...)
		if r.code != 0 {
			e.trySleeper(left, testenv.Patience) // killed in cleanup, if it was started
			t.Fatalf("exit %d, want 0", r.code)
		}
		id := e.sleeper(left)
		if alive(id) {
			t.Errorf("the leftover %d still runs after runp returned", id.PID)
		}
		var rep runReport
		readJSON(t, report, &rep)
		if rep.ExitCode != 0 || len(rep.Attempts) != 1 || !killedPID(rep.Attempts[0], id.PID) {
			t.Errorf("report %+v does not show the leftover %d killed", rep, id.PID)
		}
	})
}

func killedPID(a attemptReport, pid int) bool {
	for _, k := range a.Killed {
		if k.PID == pid {
			return true
		}
	}
	return false
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v\n%s", file, err, b)
	}
}

// --on-exit leave, without a pseudo console: with one, Windows ends the
// programs attached to it when runp closes it (see README: Platforms).
func TestE2ELeave(t *testing.T) {
	e := newE2E(t)
	left := e.file("left")
	r := e.run(cat([]string{"--no-pty", "--on-exit", "leave", "--", "cmd", "/c", "start", "/b"},
		e.helper("sleep", left), []string{"&"}, e.helper("waitfile", left))...)
	if r.code != 0 {
		e.trySleeper(left, testenv.Patience) // killed in cleanup, if it was started
		t.Fatalf("exit %d, want 0", r.code)
	}
	// runp has exited, and its job handle is closed: had kill-on-close been
	// left on, the leftover would be dying now.
	if id := e.sleeper(left); exitsWithin(id, time.Second) {
		t.Errorf("the leftover %d did not survive --on-exit leave", id.PID)
	}
}

// --timeout stops the whole tree: the command, a process it waits for, and
// one it left in the background. The timeout has to let the tree start
// first; it is doubled until it does.
func TestE2ETimeout(t *testing.T) {
	modes(t, func(t *testing.T, flags []string) {
		for timeout := time.Second; ; timeout *= 2 {
			e := newE2E(t)
			bg, fg, report := e.file("bg"), e.file("fg"), e.file("report.json")
			r := e.run(cat(flags, []string{"--timeout", timeout.String(), "--report", report, "--", "cmd", "/c", "start", "/b"},
				e.helper("sleep", bg), []string{"&"}, e.helper("sleep", fg))...)
			if r.code != supervisor.ExitTimeout {
				t.Fatalf("exit %d, want %d", r.code, supervisor.ExitTimeout)
			}
			bgID, ok1 := e.trySleeper(bg, 0)
			fgID, ok2 := e.trySleeper(fg, 0)
			if !ok1 || !ok2 {
				if timeout >= 16*time.Second {
					t.Fatalf("the tree did not start within --timeout %v", timeout)
				}
				continue
			}
			for _, id := range []process.Identity{bgID, fgID} {
				if alive(id) {
					t.Errorf("pid %d still runs after the timeout", id.PID)
				}
			}
			var rep runReport
			readJSON(t, report, &rep)
			if rep.ExitCode != supervisor.ExitTimeout || len(rep.Attempts) != 1 || rep.Attempts[0].Limit != string(supervisor.LimitTimeout) {
				t.Errorf("report %+v, want one attempt ended by the timeout", rep)
			}
			return
		}
	})
}

func TestE2ERetries(t *testing.T) {
	e := newE2E(t)
	count, report := e.file("count"), e.file("report.json")
	r := e.run(cat([]string{"--no-pty", "--retries", "2", "--report", report, "--"}, e.helper("failtwice", count))...)
	if r.code != 0 || !strings.Contains(r.stderr, "attempt 2/3") || !strings.Contains(r.stderr, "attempt 3/3") ||
		!strings.Contains(r.stdout, "run 3") {
		t.Errorf("exit %d, stdout %q, stderr %q; want three attempts, the last one passing", r.code, r.stdout, r.stderr)
	}
	var rep runReport
	readJSON(t, report, &rep)
	var codes []string
	for _, a := range rep.Attempts {
		codes = append(codes, strconv.Itoa(a.ExitCode))
	}
	if rep.ExitCode != 0 || strings.Join(codes, " ") != "1 1 0" {
		t.Errorf("report: exit %d, attempts %q; want 0 and 1 1 0", rep.ExitCode, codes)
	}
}
