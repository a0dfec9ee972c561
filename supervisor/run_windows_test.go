//go:build windows

package supervisor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"runp/internal/testenv"
	"runp/proc"
)

// The tests re-execute the test binary as the command (testenv.Helpers):
// no shell, no other program needed.
const helperEnv = "RUNP_SUPERVISOR_HELPER"

// helpers are the bodies of the helper processes:
//
//   - exit N: print "exiting N", exit with N.
//   - sleep: sleep a minute.
//   - spawn FILE: start a sleep helper that does not share the output,
//     write "pid=<its pid>;" to FILE (a pseudo console's output may be lost
//     or, under wine, missing), exit 0.
//   - breakaway: try to start a sleep helper outside the job; print
//     "breakaway refused", or kill it and print "escaped".
var helpers = map[string]func(args []string) int{
	"exit": func(args []string) int {
		code, _ := strconv.Atoi(args[0])
		fmt.Println("exiting", code)
		return code
	},
	"sleep": func([]string) int {
		time.Sleep(time.Minute)
		return 0
	},
	"spawn":     func(args []string) int { return spawnHelper(false, args) },
	"breakaway": func(args []string) int { return spawnHelper(true, args) },
}

func spawnHelper(breakaway bool, args []string) int {
	c := helperCmd("sleep")
	if breakaway {
		c.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_BREAKAWAY_FROM_JOB}
	}
	if err := c.Start(); err != nil {
		fmt.Println("breakaway refused:", err)
		return 0
	}
	if breakaway {
		_ = c.Process.Kill() // best effort: the test fails on "escaped" anyway
		fmt.Println("escaped")
		return 0
	}
	if err := os.WriteFile(args[0], fmt.Appendf(nil, "pid=%d;", c.Process.Pid), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

func TestMain(m *testing.M) {
	testenv.Helpers{Env: helperEnv, Bodies: helpers}.Main()
	os.Exit(m.Run())
}

func helperArgv(args ...string) []string {
	return append([]string{os.Args[0]}, args...)
}

func helperCmd(mode string, args ...string) *exec.Cmd {
	return testenv.Helpers{Env: helperEnv}.Command(mode, args...)
}

// runHelper runs a helper under Run with cfg's mode settings and returns
// the result and the output.
func runHelper(t *testing.T, cfg Config, mode string, args ...string) (Result, string, error) {
	t.Helper()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = devnull.Close() }) // best effort: read-only
	var out, errOut bytes.Buffer
	cfg.Argv = helperArgv(args...)
	cfg.Env = append(os.Environ(), testenv.Helpers{Env: helperEnv}.Setting(mode))
	cfg.Stdin, cfg.Stdout, cfg.Stderr = devnull, &out, &errOut
	cfg.StateDir = testenv.TempDir(t)
	ctx, cancel := context.WithDeadline(context.Background(), testenv.Deadline(t))
	defer cancel()
	res, err := Run(ctx, cfg)
	if errOut.Len() > 0 {
		t.Logf("stderr: %s", errOut.String())
	}
	return res, out.String(), err
}

// forModes runs f with and without a pseudo console.
func forModes(t *testing.T, f func(t *testing.T, noPTY bool)) {
	for _, noPTY := range []bool{true, false} {
		t.Run(map[bool]string{true: "no-pty", false: "conpty"}[noPTY], func(t *testing.T) { f(t, noPTY) })
	}
}

func TestRunExitCode(t *testing.T) {
	forModes(t, func(t *testing.T, noPTY bool) {
		res, out, err := runHelper(t, Config{NoPTY: noPTY}, "exit", "7")
		if err != nil || res.ExitCode != 7 {
			t.Errorf("Run = %d, %v; want 7", res.ExitCode, err)
		}
		if !noPTY {
			testenv.SkipUnderWine(t, gapConPTYOutput)
		}
		if !bytes.Contains([]byte(out), []byte("exiting 7")) {
			t.Errorf("output %q lacks the helper's line", out)
		}
	})
}

func TestRunNotFound(t *testing.T) {
	res, err := Run(context.Background(), Config{Argv: []string{"runp-no-such-command"}, StateDir: testenv.TempDir(t)})
	var se *StartError
	if !errors.As(err, &se) || se.Code != ExitNotFound || res.ExitCode != ExitNotFound {
		t.Errorf("Run = %d, %v; want 127", res.ExitCode, err)
	}
}

// What wine 8's pseudo console lacks (README: Platforms).
const gapConPTYOutput = "its pseudo console renders no output of the programs in it"

var pidRE = regexp.MustCompile(`pid=(\d+);`)

// spawnFile is where a spawn helper is to write its child's PID.
func spawnFile(t *testing.T) string {
	return filepath.Join(testenv.TempDir(t), "spawned")
}

// spawned returns the identity of the process the spawn helper started,
// and kills it by that identity in cleanup.
func spawned(t *testing.T, file string) proc.Identity {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := pidRE.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("no pid in %q", b)
	}
	pid, _ := strconv.Atoi(m[1])
	id, err := proc.Read(pid)
	if err != nil {
		return proc.Identity{PID: pid} // gone already
	}
	t.Cleanup(func() { _ = proc.Signal(id, syscall.SIGKILL) }) // best effort: gone if the test passed
	return id
}

// exits reports whether the process id exits within d.
func exits(t *testing.T, id proc.Identity, d time.Duration) bool {
	t.Helper()
	if id.Start == 0 {
		return true
	}
	return testenv.ExitsWithin(id.PID, d, func() bool {
		cur, err := proc.Read(id.PID)
		return err == nil && cur.Same(id)
	})
}

func TestRunKillsWhatTheCommandLeft(t *testing.T) {
	forModes(t, func(t *testing.T, noPTY bool) {
		file := spawnFile(t)
		res, _, err := runHelper(t, Config{NoPTY: noPTY}, "spawn", file)
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("Run = %d, %v", res.ExitCode, err)
		}
		if id := spawned(t, file); !exits(t, id, time.Until(testenv.Deadline(t))) {
			t.Errorf("pid %d outlived runp with --on-exit kill", id.PID)
		}
	})
}

func TestRunLeave(t *testing.T) {
	file := spawnFile(t)
	res, _, err := runHelper(t, Config{NoPTY: true, OnExit: OnExitLeave}, "spawn", file)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("Run = %d, %v", res.ExitCode, err)
	}
	// Run has closed its job handle: had kill-on-close been left on, the
	// process would be dying now.
	if id := spawned(t, file); exits(t, id, 500*time.Millisecond) {
		t.Errorf("pid %d did not survive --on-exit leave", id.PID)
	}
}

func TestRunNoBreakaway(t *testing.T) {
	_, out, err := runHelper(t, Config{NoPTY: true}, "breakaway")
	if err != nil || !bytes.Contains([]byte(out), []byte("breakaway refused")) {
		t.Errorf("a child broke away from the job: %q, %v", out, err)
	}
}

func TestRunTimeout(t *testing.T) {
	forModes(t, func(t *testing.T, noPTY bool) {
		res, _, err := runHelper(t, Config{NoPTY: noPTY, Timeout: 300 * time.Millisecond}, "sleep")
		if err != nil || res.ExitCode != ExitTimeout || res.Attempts[0].Limit != LimitTimeout {
			t.Errorf("Run = %+v, %v; want the timeout", res, err)
		}
	})
}

// The pseudo console's conhost.exe is gone when Run returns.
func TestRunConhostGone(t *testing.T) {
	var before windows.Filetime
	windows.GetSystemTimeAsFileTime(&before)
	if _, _, err := runHelper(t, Config{}, "exit", "0"); err != nil {
		t.Fatal(err)
	}
	ids, err := proc.FindConhosts(uint64(before.HighDateTime)<<32 | uint64(before.LowDateTime))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !exits(t, id, time.Until(testenv.Deadline(t))) {
			t.Errorf("conhost %d outlived its pseudo console", id.PID)
		}
	}
}
