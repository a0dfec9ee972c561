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

// The tests re-execute the test binary as the command (see
// TestSupervisorHelperProcess): no shell, no other program needed.
const helperEnv = "RUNP_SUPERVISOR_HELPER"

// TestSupervisorHelperProcess is not a test: it is the body of the helper
// processes, and skips when run as a test.
//
//   - exit N: print "exiting N", exit with N.
//   - sleep: sleep a minute.
//   - spawn FILE: start a sleep helper that does not share the output,
//     write "pid=<its pid>;" to FILE (a pseudo console's output may be lost
//     or, under wine, missing), exit 0.
//   - breakaway: try to start a sleep helper outside the job; print
//     "breakaway refused", or kill it and print "escaped".
func TestSupervisorHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process body, run by the other tests")
	}
	var args []string
	for i, a := range os.Args {
		if a == "--" {
			args = os.Args[i+1:]
			break
		}
	}
	switch mode {
	case "exit":
		code, _ := strconv.Atoi(args[0])
		fmt.Println("exiting", code)
		os.Exit(code)
	case "sleep":
		time.Sleep(time.Minute)
	case "spawn", "breakaway":
		c := helperCmd("sleep")
		if mode == "breakaway" {
			c.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_BREAKAWAY_FROM_JOB}
		}
		if err := c.Start(); err != nil {
			fmt.Println("breakaway refused:", err)
			os.Exit(0)
		}
		if mode == "breakaway" {
			_ = c.Process.Kill() // best effort: the test fails on "escaped" anyway
			fmt.Println("escaped")
			os.Exit(0)
		}
		if err := os.WriteFile(args[0], fmt.Appendf(nil, "pid=%d;", c.Process.Pid), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
		os.Exit(2)
	}
	os.Exit(0)
}

func helperArgv(args ...string) []string {
	return append([]string{os.Args[0], "-test.run=^TestSupervisorHelperProcess$", "--"}, args...)
}

func helperCmd(mode string, args ...string) *exec.Cmd {
	argv := helperArgv(args...)
	c := exec.Command(argv[0], argv[1:]...)
	c.Env = append(os.Environ(), helperEnv+"="+mode)
	return c
}

// testDeadline bounds every wait of a test: 30 s, or less if go test's own
// deadline is nearer.
func testDeadline(t *testing.T) time.Time {
	d := time.Now().Add(30 * time.Second)
	if td, ok := t.Deadline(); ok && td.Add(-2*time.Second).Before(d) {
		d = td.Add(-2 * time.Second)
	}
	return d
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
	cfg.Env = append(os.Environ(), helperEnv+"="+mode)
	cfg.Stdin, cfg.Stdout, cfg.Stderr = devnull, &out, &errOut
	cfg.StateDir = testenv.TempDir(t)
	ctx, cancel := context.WithDeadline(context.Background(), testDeadline(t))
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
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(id.PID))
	if err != nil {
		return true // no such process
	}
	defer func() { _ = windows.CloseHandle(h) }() // best effort: nothing to flush
	if cur, err := proc.Read(id.PID); err != nil || !cur.Same(id) {
		return true // exited, and the PID reused
	}
	ev, err := windows.WaitForSingleObject(h, uint32(d.Milliseconds()))
	return err == nil && ev == windows.WAIT_OBJECT_0
}

func TestRunKillsWhatTheCommandLeft(t *testing.T) {
	forModes(t, func(t *testing.T, noPTY bool) {
		file := spawnFile(t)
		res, _, err := runHelper(t, Config{NoPTY: noPTY}, "spawn", file)
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("Run = %d, %v", res.ExitCode, err)
		}
		if id := spawned(t, file); !exits(t, id, time.Until(testDeadline(t))) {
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
		if !exits(t, id, time.Until(testDeadline(t))) {
			t.Errorf("conhost %d outlived its pseudo console", id.PID)
		}
	}
}
