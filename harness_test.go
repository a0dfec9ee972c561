//go:build linux

package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"runp/internal/testenv"
)

// runpBin is the runp binary built once for the whole test run.
var runpBin string

func TestMain(m *testing.M) {
	testenv.Helpers{Env: helperEnv, Bodies: helpers}.Main()
	var dir string
	runpBin, dir = buildRunp("runp")
	before, gitOK := gitStatus()
	gitOK = gitOK && os.Getenv("RUNP_UPDATE_MAN") != "1" // which rewrites runp.1
	code := m.Run()
	_ = os.RemoveAll(dir) // best effort
	if after, _ := gitStatus(); gitOK && code == 0 && after != before {
		fmt.Fprintf(os.Stderr, "FAIL: the tests left files that git status shows\nbefore:\n%s\nafter:\n%s", before, after)
		code = 1
	}
	os.Exit(code)
}

// gitStatus is `git status --porcelain` of the repository, or false when
// there is no git or no repository (a source tarball).
func gitStatus() (string, bool) {
	out, err := exec.Command("git", "status", "--porcelain", "--untracked-files=all").Output()
	return string(out), err == nil
}

// run describes one runp invocation driven by a test.
type run struct {
	flags  []string // runp's flags
	helper string   // the helper runp's command runs
	args   []string // the helper's arguments
	stdin  io.Reader
	env    []string
}

// proc is a running runp.
type proc struct {
	t       *testing.T
	cmd     *exec.Cmd
	lines   chan string
	out     *bytes.Buffer
	outMu   *sync.Mutex
	stderr  *bytes.Buffer
	stdin   io.WriteCloser
	done    chan struct{} // the process exited
	outDone chan struct{} // its stdout reached EOF
	errDone chan struct{} // its stderr reached EOF
	tag     string
}

// tagEnv marks every process a test starts, so that cleanup can find and
// kill each of them by PID, even those that left the tree.
const tagEnv = "RUNP_TEST_TAG"

func newTag(t *testing.T) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return t.Name() + "-" + hex.EncodeToString(b)
}

func (r run) command(t *testing.T, tag string) *exec.Cmd {
	t.Helper()
	argv := append(append(append([]string{}, r.flags...), "--", os.Args[0]), r.args...)
	cmd := exec.Command(runpBin, argv...)
	cmd.Env = append(os.Environ(), helperEnv+"="+r.helper, tagEnv+"="+tag, "RUNP_STATE_DIR="+stateDir(t))
	cmd.Env = append(cmd.Env, r.env...)
	return cmd
}

// stateDir is the test's own registry, so that tests never see each other's
// sessions; it is made once per test.
func stateDir(t *testing.T) string {
	t.Helper()
	stateDirs.Lock()
	defer stateDirs.Unlock()
	if d, ok := stateDirs.m[t]; ok {
		return d
	}
	d := t.TempDir()
	stateDirs.m[t] = d
	t.Cleanup(func() {
		stateDirs.Lock()
		delete(stateDirs.m, t)
		stateDirs.Unlock()
	})
	return d
}

var stateDirs = struct {
	sync.Mutex
	m map[*testing.T]string
}{m: map[*testing.T]string{}}

// noLeaks fails the test if any process it started still runs.
func noLeaks(t *testing.T, tag string) {
	t.Helper()
	if pids := tagged(tag); len(pids) > 0 {
		t.Errorf("processes left running: %v", pids)
	}
}

// start runs runp with pipes for stdin (unless r.stdin), stdout and stderr.
func start(t *testing.T, r run) *proc {
	t.Helper()
	tag := newTag(t)
	cmd := r.command(t, tag)
	cmd.Stdin = r.stdin
	return startCmd(t, cmd)
}

// startCmd starts cmd, which carries a test tag, with pipes for stdout,
// stderr and, unless cmd.Stdin is set, stdin.
func startCmd(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{t: t, cmd: cmd, lines: make(chan string, 1024), out: &bytes.Buffer{}, outMu: &sync.Mutex{},
		stderr: &bytes.Buffer{}, done: make(chan struct{})}
	for _, e := range cmd.Env {
		if strings.HasPrefix(e, tagEnv+"=") {
			p.tag = strings.TrimPrefix(e, tagEnv+"=")
		}
	}
	if cmd.Stdin != nil {
	} else {
		w, err := p.cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		p.stdin = w
	}
	// Plain pipes, so that the process's exit is seen even while a leftover
	// descendant still holds an output open.
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout, p.cmd.Stderr = outW, errW
	err = p.cmd.Start()
	_ = outW.Close()
	_ = errW.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { killTagged(t, p.tag) })
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	t.Cleanup(func() { _ = outR.Close(); _ = errR.Close() })
	p.outDone = make(chan struct{})
	go func() {
		defer close(p.outDone)
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			noteDescendant(sc.Text())
			p.outMu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.outMu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}()
	p.errDone = make(chan struct{})
	go func() {
		defer close(p.errDone)
		buf := make([]byte, 4096)
		for {
			n, err := errR.Read(buf)
			p.outMu.Lock()
			p.stderr.Write(buf[:n])
			p.outMu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	return p
}

// expect waits for a line of output that starts with prefix and returns it.
func (p *proc) expect(prefix string) string {
	p.t.Helper()
	deadline := time.After(testenv.Patience)
	for {
		select {
		case l := <-p.lines:
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-p.done:
			p.t.Fatalf("runp exited before printing %q; output:\n%s\nstderr:\n%s", prefix, p.output(), p.errors())
		case <-deadline:
			p.t.Fatalf("no line starting with %q; output:\n%s", prefix, p.output())
		}
	}
}

func (p *proc) errors() string {
	p.outMu.Lock()
	defer p.outMu.Unlock()
	return p.stderr.String()
}

func (p *proc) output() string {
	p.outMu.Lock()
	defer p.outMu.Unlock()
	return p.out.String()
}

// wait waits for runp to exit and returns its exit status.
func (p *proc) wait() int {
	p.t.Helper()
	awaitExit(p.t, p.done, func() string { return "output:\n" + p.output() })
	// What runp wrote is in the pipes already; a leftover descendant may
	// hold them open, so EOF gets a bound.
	bound := time.After(time.Second)
	for _, c := range []chan struct{}{p.outDone, p.errDone} {
		select {
		case <-c:
		case <-bound:
		}
	}
	return shellStatus(p.cmd.ProcessState)
}

// shellStatus is what $? says in a shell: the exit status, or 128+N when
// the process died of signal N (runp dies of its command's signal).
func shellStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// runOnce runs runp to the end and returns its stdout, stderr and status.
func runOnce(t *testing.T, r run) (string, string, int) {
	t.Helper()
	tag := newTag(t)
	cmd := r.command(t, tag)
	cmd.Stdin = r.stdin
	t.Cleanup(func() { killTagged(t, tag) })
	return runToEnd(t, cmd)
}

// runpIn runs runp with RUNP_STATE_DIR=dir and exactly argv, to the end,
// and returns its stdout, stderr and status.
func runpIn(t *testing.T, dir string, argv ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(runpBin, argv...)
	cmd.Env = append(os.Environ(), "RUNP_STATE_DIR="+dir)
	return runToEnd(t, cmd)
}

// runpCLI runs runp with exactly argv in the test's state dir, to the end.
func runpCLI(t *testing.T, argv ...string) (string, string, int) {
	t.Helper()
	return runpIn(t, stateDir(t), argv...)
}

// combinedOutput is cmd.CombinedOutput within the test's deadline (see
// testenv.Run).
func combinedOutput(t *testing.T, cmd *exec.Cmd) (string, error) {
	t.Helper()
	var b strings.Builder
	cmd.Stdout, cmd.Stderr = &b, &b // one writer: os/exec writes it from one goroutine
	err := testenv.Run(t, cmd)
	return b.String(), err
}

// runToEnd runs cmd to its end within the test's deadline (see
// testenv.Run) and returns its stdout, stderr and status as a shell's $?.
func runToEnd(t *testing.T, cmd *exec.Cmd) (string, string, int) {
	t.Helper()
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	_ = testenv.Run(t, cmd) // the status says how it ended
	return out.String(), errb.String(), shellStatus(cmd.ProcessState)
}

// awaitExit waits until done is closed (runp has exited), within the
// test's deadline; the test fails with what shown says about how far runp got.
func awaitExit(t *testing.T, done <-chan struct{}, shown func() string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(time.Until(testenv.Deadline(t))):
		t.Fatalf("runp did not exit; %s", shown())
	}
}

// tagged returns the PIDs of live processes carrying RUNP_TEST_TAG=tag.
func tagged(tag string) []int {
	want := []byte(tagEnv + "=" + tag + "\x00")
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || !bytes.Contains(append([]byte{0}, env...), append([]byte{0}, want...)) {
			continue
		}
		if st, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil {
			if i := bytes.LastIndexByte(st, ')'); i > 0 && len(st) > i+2 && st[i+2] == 'Z' {
				continue // a zombie is dead; its parent reaps it
			}
		}
		pids = append(pids, pid)
	}
	return pids
}

// killTagged kills by PID every process that a test started.
func killTagged(t *testing.T, tag string) {
	for _, pid := range tagged(tag) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// waitGone waits until pid no longer runs (gone, or a zombie when
// allowZombie).
func waitGone(t *testing.T, pid int, allowZombie bool) {
	t.Helper()
	testenv.WaitFor(t, fmt.Sprintf("process %d to end", pid), func() bool {
		st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if errors.Is(err, os.ErrNotExist) {
			return true
		}
		i := bytes.LastIndexByte(st, ')')
		return allowZombie && i > 0 && len(st) > i+2 && st[i+2] == 'Z'
	})
}
