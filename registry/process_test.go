package registry

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"runp/internal/testenv"
)

// The helper process is this test binary, re-executed (as immortal's tests
// do): no shell scripts, the same on every OS.
const (
	envMode = "RUNP_REGISTRY_HELPER"
	envDir  = "RUNP_REGISTRY_DIR"
	envID   = "RUNP_REGISTRY_ID"
	envN    = "RUNP_REGISTRY_N"
)

// The helper's modes (testenv.Helpers, the mode in envMode, its
// arguments in envDir, envID and envN):
//
//	hold:   create a session, say "ready", block until stdin closes.
//	writer: create a session, write versions 1..19, say "done", block.
//	sleep:  say "ready", block (no registry at all).
//	list:   say "live=<bool>" for the session, then exit.
//
// It exits without removing its session, as a crashed runp would.
var helpers = testenv.Helpers{Env: envMode, Bodies: map[string]func([]string) int{
	"hold": helperProcess, "writer": helperProcess, "sleep": helperProcess, "list": helperProcess,
}}

func TestMain(m *testing.M) {
	helpers.Main()
	os.Exit(m.Run())
}

// helperProcess is the body of every mode.
func helperProcess([]string) int {
	mode := os.Getenv(envMode)
	fail := func(err error) {
		fmt.Fprintf(os.Stderr, "helper %s: %v\n", mode, err)
		os.Exit(3)
	}
	n, _ := strconv.Atoi(os.Getenv(envN))
	id := os.Getenv(envID)
	if mode == "list" {
		s, err := Open(os.Getenv(envDir))
		if err != nil {
			fail(err)
		}
		es, _, err := s.List()
		if err != nil {
			fail(err)
		}
		for _, e := range es {
			if e.Session.ID == id {
				fmt.Printf("live=%v\n", e.Live)
			}
		}
		return 0
	}
	if mode != "sleep" {
		s, err := Open(os.Getenv(envDir))
		if err != nil {
			fail(err)
		}
		h, err := s.Create(contentFor(id, os.Getpid(), n, 0))
		if err != nil {
			fail(err)
		}
		if mode == "writer" {
			for k := 1; k < 20; k++ {
				if err := h.Write(contentFor(id, os.Getpid(), n, k)); err != nil {
					fail(err)
				}
			}
		}
	}
	if mode == "writer" {
		fmt.Println("done")
	} else {
		fmt.Println("ready")
	}
	_, _ = io.Copy(io.Discard, os.Stdin) // best effort: any end of stdin ends us
	return 0
}

type helper struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	done  chan struct{} // closed once the child is reaped
}

// startHelper starts the helper in mode; cleanup kills it by PID, reaps it,
// and fails the test if it does not go away.
func startHelper(t *testing.T, mode, dir, id string, n int) *helper {
	t.Helper()
	cmd := helpers.Command(mode)
	cmd.Env = append(cmd.Env, envDir+"="+dir, envID+"="+id, envN+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	r, w, err := os.Pipe() // our own pipe, so that Wait never waits for our reader
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = w
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = w.Close() // best effort: the child has its copy
	h := &helper{cmd: cmd, stdin: stdin, lines: make(chan string, 4), done: make(chan struct{})}
	go func() {
		defer close(h.lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			h.lines <- sc.Text()
		}
		_ = r.Close() // best effort
	}()
	go func() {
		_ = cmd.Wait() // the status is checked by the tests that care
		close(h.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // best effort: it may be gone already
		timeout := time.After(10 * time.Second)
		select {
		case <-h.done:
		case <-timeout:
			t.Errorf("helper pid %d leaked: not reaped 10s after SIGKILL", cmd.Process.Pid)
			return
		}
		for {
			select {
			case _, open := <-h.lines: // drain, until the reader has closed its pipe
				if !open {
					return
				}
			case <-timeout:
				t.Errorf("helper pid %d: stdout still open 10s after SIGKILL", cmd.Process.Pid)
				return
			}
		}
	})
	return h
}

// expect waits, up to the deadline, for the helper to print want.
func (h *helper) expect(t *testing.T, want string, end time.Time) {
	t.Helper()
	// Only lines and the deadline: a helper that exits closes its stdout, and
	// waiting on its exit too would race with reading its last line.
	select {
	case line, ok := <-h.lines:
		if !ok {
			t.Fatalf("helper pid %d exited before saying %q", h.cmd.Process.Pid, want)
		}
		if line != want {
			t.Fatalf("helper pid %d said %q, want %q", h.cmd.Process.Pid, line, want)
		}
	case <-time.After(time.Until(end)):
		t.Fatalf("helper pid %d did not say %q in time", h.cmd.Process.Pid, want)
	}
}

// reaped waits, up to the deadline, for the helper to be reaped.
func (h *helper) reaped(t *testing.T, end time.Time) {
	t.Helper()
	select {
	case <-h.done:
	case <-time.After(time.Until(end)):
		t.Fatalf("helper pid %d not reaped in time", h.cmd.Process.Pid)
	}
}

// TestLivenessAcrossProcesses is the crash case: a runp is SIGKILLed while
// it holds its session; another process then sees the session dead and
// claims it.
func TestLivenessAcrossProcesses(t *testing.T) {
	end := deadline(t, 30*time.Second)
	s := newStore(t)
	id := NewID()
	h := startHelper(t, "hold", s.Dir(), id, 7)
	h.expect(t, "ready", end)
	pid := h.cmd.Process.Pid

	es := mustList(t, s)
	if len(es) != 1 || !es[0].Live || es[0].Session.ID != id || es[0].Session.PID != pid {
		t.Fatalf("List with the owner alive = %+v", es)
	}
	if _, _, ok, err := s.Claim(id); ok || err != nil {
		t.Fatalf("Claim with the owner alive: ok=%v err=%v", ok, err)
	}

	if err := h.cmd.Process.Kill(); err != nil { // SIGKILL: no chance to clean up
		t.Fatal(err)
	}
	h.reaped(t, end)
	if st := h.cmd.ProcessState; st.Success() {
		t.Fatalf("helper exited cleanly (%v); it was meant to be killed", st)
	}

	es = mustList(t, s)
	if len(es) != 1 || es[0].Live {
		t.Fatalf("List after the owner was killed = %+v", es)
	}
	c, sess, ok, err := s.Claim(id)
	if !ok || err != nil {
		t.Fatalf("Claim after the owner was killed: ok=%v err=%v", ok, err)
	}
	if sess.PID != pid || !sameSession(sess, contentFor(id, pid, 7, 0)) {
		t.Fatalf("claimed %+v", *sess)
	}
	if err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, s.sessions); len(names) != 0 {
		t.Fatalf("sessions/ after recovery: %q", names)
	}
}

// TestLockNotInherited: a child started while the lock is held must not
// inherit it, or the session would look alive as long as the child lives.
func TestLockNotInherited(t *testing.T) {
	end := deadline(t, 30*time.Second)
	s := newStore(t)
	id := NewID()
	own, err := s.Create(contentFor(id, os.Getpid(), 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	h := startHelper(t, "sleep", "", "", 0)
	h.expect(t, "ready", end)
	if err := own.Close(); err != nil {
		t.Fatal(err)
	}
	if es := mustList(t, s); len(es) != 1 || es[0].Live {
		t.Fatalf("List with only a child of the owner alive = %+v", es)
	}
}

// TestConcurrentProcesses: 50 runps on one store, each writing 20 versions
// of its own session while this process lists.
func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 50 processes")
	}
	const owners = 50
	end := deadline(t, 60*time.Second)
	s := newStore(t)
	ids := make([]string, owners)
	helpers := make([]*helper, owners)
	for i := range owners {
		ids[i] = NewID()
		helpers[i] = startHelper(t, "writer", s.Dir(), ids[i], i)
	}

	// List while they write: whatever is there must be whole and its own.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	lists := 0
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			listVerified(t, s, 0, func(e Entry, i int) {
				if e.Session.ID != ids[i] || e.Session.PID != helpers[i].cmd.Process.Pid {
					t.Errorf("session %s (pid %d) carries writer %d's content", e.Session.ID, e.Session.PID, i)
				}
			})
			lists++
		}
	})
	for _, h := range helpers {
		h.expect(t, "done", end)
	}
	close(stop)
	wg.Wait()

	check := func(live bool) {
		t.Helper()
		es := mustList(t, s)
		if len(es) != owners {
			t.Fatalf("List: %d sessions, want %d", len(es), owners)
		}
		for _, e := range es {
			i, k := checkContent(t, &e.Session, 0)
			if e.Session.ID != ids[i] || e.Session.PID != helpers[i].cmd.Process.Pid || k != 19 || e.Live != live {
				t.Errorf("session %s: writer %d, version %d, live %v", e.Session.ID, i, k, e.Live)
			}
		}
	}
	check(true)
	for _, h := range helpers {
		_ = h.stdin.Close() // best effort: EOF tells the helper to exit
	}
	for _, h := range helpers {
		h.reaped(t, end)
		if !h.cmd.ProcessState.Success() {
			t.Errorf("helper pid %d: %v", h.cmd.Process.Pid, h.cmd.ProcessState)
		}
	}
	check(false)
	t.Logf("%d lists while writing", lists)
	if n := len(dirNames(t, s.sessions)); n != 2*owners {
		t.Errorf("sessions/ has %d files, want %d (no temp files)", n, 2*owners)
	}
	if q := dirNames(t, s.quarantine); len(q) != 0 {
		t.Errorf("quarantined: %q", strings.Join(q, ", "))
	}
}

// TestOwnerProbesKeepLock: an owner that lists (and so probes) its own
// session must not drop its lock, as it would with fcntl locks.
func TestOwnerProbesKeepLock(t *testing.T) {
	end := deadline(t, 30*time.Second)
	s := newStore(t)
	id := NewID()
	own, err := s.Create(contentFor(id, os.Getpid(), 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	other, err := Open(s.Dir()) // a second Store on the same dir, as a library user might
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		for _, st := range []*Store{s, other} {
			if es := mustList(t, st); len(es) != 1 || !es[0].Live {
				t.Fatalf("own List = %+v", es)
			}
			if _, _, ok, err := st.Claim(id); ok || err != nil {
				t.Fatalf("own Claim: ok=%v err=%v", ok, err)
			}
		}
	}
	h := startHelper(t, "list", s.Dir(), id, 0)
	h.expect(t, "live=true", end)
	h.reaped(t, end)
	if err := own.Close(); err != nil {
		t.Fatal(err)
	}
	h = startHelper(t, "list", s.Dir(), id, 0)
	h.expect(t, "live=false", end)
	h.reaped(t, end)
}
