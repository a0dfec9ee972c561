//go:build windows

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"runp/internal/testenv"
	process "runp/proc"
)

// The end-to-end tests run runp.exe as a user would, with cmd.exe and this
// test binary (see e2eHelper) as the commands. runp.exe is $RUNP_EXE when
// set (the wine lane builds it on Linux, where the Go toolchain is), else
// built here.
var runpExe string

// e2eHelperEnv makes this binary a helper (see testenv.Helpers); its first
// argument is the mode (testenv.ModeInArgs), so that one cmd.exe line can
// start helpers of different modes.
const e2eHelperEnv = "RUNP_E2E_HELPER"

func TestMain(m *testing.M) {
	testenv.Helpers{Env: e2eHelperEnv, Bodies: e2eHelpers}.Main()
	runpExe = os.Getenv("RUNP_EXE")
	dir := ""
	if runpExe == "" {
		runpExe, dir = buildRunp("runp.exe") // or set RUNP_EXE
	}
	code := m.Run()
	if dir != "" {
		_ = os.RemoveAll(dir) // best effort
	}
	os.Exit(code)
}

// e2eHelpers are the bodies of the helper processes:
//
//   - sleep FILE: write "PID START" (its identity) to FILE, sleep 2 minutes.
//   - waitfile FILE: wait until FILE exists (at most testenv.Patience), exit 0.
//   - failtwice FILE: count the runs in FILE; exit 1 on the first two, 0 after.
var e2eHelpers = map[string]func(args []string) int{
	"sleep": func(args []string) int {
		id, err := process.Read(os.Getpid())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		// Written whole, then renamed: a reader never sees half of it.
		tmp := args[0] + ".tmp"
		if err := os.WriteFile(tmp, fmt.Appendf(nil, "%d %d", id.PID, id.Start), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if err := os.Rename(tmp, args[0]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		time.Sleep(2 * time.Minute)
		return 0
	},
	"waitfile": func(args []string) int {
		for end := time.Now().Add(testenv.Patience); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if _, err := os.Stat(args[0]); err == nil {
				return 0
			}
		}
		return 3
	},
	"failtwice": func(args []string) int {
		b, _ := os.ReadFile(args[0]) // none yet on the first run
		n := len(b) + 1
		if err := os.WriteFile(args[0], bytes.Repeat([]byte("x"), n), 0o600); err != nil {
			return 2
		}
		fmt.Println("run", n)
		if n < 3 {
			return 1
		}
		return 0
	},
}

// e2e is one test's environment: a state dir, a scratch dir, and the
// helper's path.
type e2e struct {
	t        *testing.T
	stateDir string
	dir      string
}

func newE2E(t *testing.T) *e2e {
	return &e2e{t: t, stateDir: testenv.TempDir(t), dir: testenv.TempDir(t)}
}

// file names a scratch file.
func (e *e2e) file(name string) string { return filepath.Join(e.dir, name) }

// helper is the argv of a helper in mode.
func (e *e2e) helper(mode string, args ...string) []string {
	return append([]string{os.Args[0], mode}, args...)
}

// cmd returns runp.exe with args, its state dir set, helpers enabled, and
// stdin the null device.
func (e *e2e) cmd(args ...string) *exec.Cmd {
	c := exec.Command(runpExe, args...)
	c.Env = append(os.Environ(), "RUNP_STATE_DIR="+e.stateDir, e2eHelperEnv+"="+testenv.ModeInArgs)
	return c
}

// result is how a runp.exe run ended.
type result struct {
	code           int
	stdout, stderr string
}

// run runs runp.exe with args to its end, within the test's deadline. Its
// stdout and stderr are files, not pipes: a process that runp leaves
// running holds them open, and exec.Cmd would wait for the pipes' end.
func (e *e2e) run(args ...string) result {
	e.t.Helper()
	c := e.cmd(args...)
	out, errOut := e.outFile(), e.outFile()
	c.Stdout, c.Stderr = out, errOut
	_ = testenv.Run(e.t, c) // the exit code says how it ended
	r := result{code: c.ProcessState.ExitCode(), stdout: readOut(e.t, out), stderr: readOut(e.t, errOut)}
	if r.stderr != "" {
		e.t.Logf("runp %q stderr: %s", args, r.stderr)
	}
	return r
}

// outFile is a new file for an output of runp, closed in cleanup.
func (e *e2e) outFile() *os.File {
	e.t.Helper()
	f, err := os.CreateTemp(e.dir, "out")
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = f.Close() }) // best effort: read already
	return f
}

func readOut(t *testing.T, f *os.File) string {
	t.Helper()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// jsonOf runs runp.exe with args and decodes its stdout into v.
func (e *e2e) jsonOf(v any, args ...string) {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("runp %q: exit %d", args, r.code)
	}
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		e.t.Fatalf("runp %q: %v\n%s", args, err, r.stdout)
	}
}

// sleeper is the identity a sleep helper wrote to file, read within
// testenv.Patience; the process is killed by that identity in cleanup.
func (e *e2e) sleeper(file string) process.Identity {
	e.t.Helper()
	id, ok := e.trySleeper(file, testenv.Patience)
	if !ok {
		e.t.Fatalf("no identity in %s within %v", file, testenv.Patience)
	}
	return id
}

// trySleeper is sleeper that may fail: ok is false if file has not
// appeared within d.
func (e *e2e) trySleeper(file string, d time.Duration) (process.Identity, bool) {
	e.t.Helper()
	for end := time.Now().Add(d); ; time.Sleep(20 * time.Millisecond) {
		b, err := os.ReadFile(file)
		if err == nil {
			f := strings.Fields(string(b))
			pid, _ := strconv.Atoi(f[0])
			start, _ := strconv.ParseUint(f[1], 10, 64)
			boot, err := process.BootID()
			if err != nil {
				e.t.Fatal(err)
			}
			id := process.Identity{PID: pid, Start: start, Boot: boot}
			e.t.Cleanup(func() {
				// Gone already if the test passed; else killed, and waited
				// for, since it holds files of the test's temp dirs.
				if process.Signal(id, syscall.SIGKILL) == nil && !exitsWithin(id, testenv.Patience) {
					e.t.Errorf("pid %d did not exit", id.PID)
				}
			})
			return id, true
		}
		if time.Now().After(end) {
			return process.Identity{}, false
		}
	}
}

// alive reports whether the process id still runs, by its identity.
func alive(id process.Identity) bool {
	cur, err := process.Read(id.PID)
	return err == nil && cur.Same(id)
}

// exitsWithin reports whether the process id exits within d.
func exitsWithin(id process.Identity, d time.Duration) bool {
	return testenv.ExitsWithin(id.PID, d, func() bool { return alive(id) })
}

// modes runs f without a pseudo console (--no-pty) and with one.
func modes(t *testing.T, f func(t *testing.T, flags []string)) {
	t.Run("no-pty", func(t *testing.T) { f(t, []string{"--no-pty"}) })
	t.Run("conpty", func(t *testing.T) { f(t, nil) })
}

// cat joins argument lists.
func cat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
