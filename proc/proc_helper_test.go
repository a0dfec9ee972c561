package proc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests re-execute the test binary as their child processes (see
// TestReaperHelperProcess), so they need no shell and behave alike on every
// OS. The mode is passed in helperEnv, arguments after "--".
const helperEnv = "RUNP_REAPER_HELPER"

// TestReaperHelperProcess is not a test: it is the body of the helper
// processes, and skips when run as a test.
//
//   - echo: echo stdin lines to stdout until EOF.
//   - fork N threaded depth: start N children (fork N threaded depth-1, or
//     echo at depth 1), print "pid ppid" for every descendant, then "ready",
//     then wait for EOF on stdin. With threaded=1 each child is started from
//     its own locked OS thread, which stays alive, so the kernel lists the
//     children under different tasks.
func TestReaperHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process body, run by the other tests")
	}
	args := flagArgs()
	switch mode {
	case "echo":
		echoLines()
	case "fork":
		n, _ := strconv.Atoi(args[0])
		depth, _ := strconv.Atoi(args[2])
		forkChildren(n, args[1] == "1", depth)
	default:
		fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
		os.Exit(2)
	}
	os.Exit(0)
}

func flagArgs() []string {
	for i, a := range os.Args {
		if a == "--" {
			return os.Args[i+1:]
		}
	}
	return nil
}

func echoLines() {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		fmt.Println(sc.Text())
	}
}

func forkChildren(n int, threaded bool, depth int) {
	type started struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		out   *bufio.Scanner
		err   error
	}
	start := func() started {
		var c *exec.Cmd
		if depth > 1 {
			c = helperCmd("fork", strconv.Itoa(n), map[bool]string{true: "1", false: "0"}[threaded], strconv.Itoa(depth-1))
		} else {
			c = helperCmd("echo")
		}
		c.Stderr = os.Stderr
		in, err := c.StdinPipe()
		if err != nil {
			return started{err: err}
		}
		out, err := c.StdoutPipe()
		if err != nil {
			return started{err: err}
		}
		// Children of this helper see EOF on stdin when it dies, however
		// it dies, and exit: nothing outlives a killed test tree.
		return started{cmd: c, stdin: in, out: bufio.NewScanner(out), err: c.Start()}
	}
	var kids []started
	for range n {
		var s started
		if threaded {
			ch := make(chan started)
			go func() {
				// Never unlocked: the thread must stay alive, or the kernel
				// hands its children to another thread of this process.
				runtime.LockOSThread()
				ch <- start()
				select {}
			}()
			s = <-ch
		} else {
			s = start()
		}
		if s.err != nil {
			fmt.Fprintln(os.Stderr, "helper start:", s.err)
			os.Exit(1)
		}
		kids = append(kids, s)
		fmt.Printf("%d %d\n", s.cmd.Process.Pid, os.Getpid())
		if depth > 1 {
			for s.out.Scan() && s.out.Text() != "ready" {
				fmt.Println(s.out.Text())
			}
		}
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin) // until EOF: the test is done
	for _, k := range kids {
		_ = k.stdin.Close() // best effort: the child exits on EOF
		_ = k.cmd.Wait()    // best effort: reap it
	}
}

// helperCmd returns an unstarted command running the test binary in mode.
func helperCmd(mode string, args ...string) *exec.Cmd {
	c := exec.Command(os.Args[0], append([]string{"-test.run=^TestReaperHelperProcess$", "--"}, args...)...)
	env := withoutEnv(withoutEnv(os.Environ(), helperEnv), "GORACE")
	// A race-enabled binary sleeps a second at exit by default; the helpers
	// exit often and nothing waits for their race reports.
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	c.Env = append(env, helperEnv+"="+mode, "GORACE="+gorace)
	return c
}

func withoutEnv(env []string, key string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(e string) bool { return strings.HasPrefix(e, key+"=") })
}

// child is a started helper process.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	done  chan struct{} // closed once Wait has returned
}

// testDeadline bounds every wait of a test: 30 s, or less if go test's own
// deadline is nearer.
func testDeadline(tb testing.TB) time.Time {
	d := time.Now().Add(30 * time.Second)
	if t, ok := tb.(*testing.T); ok {
		if td, ok := t.Deadline(); ok && td.Add(-2*time.Second).Before(d) {
			d = td.Add(-2 * time.Second)
		}
	}
	return d
}

// startChild starts c with stdin and stdout piped; the cleanup kills it by
// PID and waits for it with a deadline.
func startChild(tb testing.TB, c *exec.Cmd) *child {
	tb.Helper()
	c.Stderr = os.Stderr
	in, err := c.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := c.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.Start(); err != nil {
		tb.Fatal(err)
	}
	ch := &child{cmd: c, stdin: in, lines: make(chan string, 256), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			ch.lines <- sc.Text()
		}
		close(ch.lines)
		_ = c.Wait() // the status stays in c.ProcessState
		close(ch.done)
	}()
	tb.Cleanup(func() {
		_ = c.Process.Kill() // best effort: it may have exited already
		ch.wait(tb)
	})
	return ch
}

func startHelper(tb testing.TB, env []string, mode string, args ...string) *child {
	tb.Helper()
	c := helperCmd(mode, args...)
	c.Env = append(c.Env, env...)
	return startChild(tb, c)
}

// wait waits for the child to exit, bounded by the test deadline.
func (c *child) wait(tb testing.TB) {
	tb.Helper()
	select {
	case <-c.done:
	case <-time.After(time.Until(testDeadline(tb))):
		tb.Errorf("pid %d did not exit before the deadline", c.cmd.Process.Pid)
	}
}

// line returns the next stdout line, bounded by the test deadline.
func (c *child) line(tb testing.TB) string {
	tb.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			tb.Fatalf("pid %d closed stdout early", c.cmd.Process.Pid)
		}
		return l
	case <-time.After(time.Until(testDeadline(tb))):
		tb.Fatalf("pid %d: no output before the deadline", c.cmd.Process.Pid)
	}
	return ""
}

// alive proves the child still runs by a round trip through it.
func (c *child) alive(tb testing.TB) bool {
	tb.Helper()
	if _, err := io.WriteString(c.stdin, "ping\n"); err != nil {
		return false
	}
	select {
	case l := <-c.lines:
		return l == "ping"
	case <-c.done:
		return false
	case <-time.After(time.Until(testDeadline(tb))):
		return false
	}
}

// startTree starts a fork helper and returns it with its descendants
// (pid -> ppid) as it reported them. Cleanup closes the helper's stdin, on
// which every level reaps its children and exits, so nothing is orphaned
// (orphans go to PID 1, which in some containers and VMs never reaps); then
// whatever is left is killed through its verified identity and checked gone.
func startTree(tb testing.TB, n int, threaded bool, depth int) (*child, map[int]int) {
	tb.Helper()
	th := "0"
	if threaded {
		th = "1"
	}
	root := startHelper(tb, nil, "fork", strconv.Itoa(n), th, strconv.Itoa(depth))
	want := map[int]int{}
	for {
		l := root.line(tb)
		if l == "ready" {
			break
		}
		var pid, ppid int
		if _, err := fmt.Sscan(l, &pid, &ppid); err != nil {
			tb.Fatalf("helper said %q: %v", l, err)
		}
		want[pid] = ppid
	}
	ids := readAll(tb, slices.Collect(maps.Keys(want)))
	tb.Cleanup(func() {
		_ = root.stdin.Close() // EOF: the tree winds itself down
		root.wait(tb)
		killIDs(tb, ids)
	})
	return root, want
}

func readAll(tb testing.TB, pids []int) []Identity {
	tb.Helper()
	var ids []Identity
	for _, pid := range pids {
		id, err := Read(pid)
		if err != nil {
			tb.Fatalf("Read(%d): %v", pid, err)
		}
		ids = append(ids, id)
	}
	return ids
}

// killIDs kills ids through Signal and checks that they are gone (or
// zombies awaiting their reaper) before the deadline.
func killIDs(tb testing.TB, ids []Identity) {
	tb.Helper()
	for _, id := range ids {
		if err := Signal(id, syscall.SIGKILL); err != nil && !errors.Is(err, ErrGone) && !errors.Is(err, ErrReused) {
			tb.Errorf("kill %v: %v", id, err)
		}
	}
	for _, id := range ids {
		waitGone(tb, id)
	}
}

// waitGone polls, with a bound, until id has exited.
func waitGone(tb testing.TB, id Identity) {
	tb.Helper()
	end := testDeadline(tb)
	for {
		cur, err := Read(id.PID)
		if errors.Is(err, ErrGone) || (err == nil && !cur.Same(id)) || zombie(id.PID) {
			return
		}
		if time.Now().After(end) {
			tb.Errorf("%v still running after the deadline", id)
			return
		}
		time.Sleep(5 * time.Millisecond) // polling with a bound, not synchronisation
	}
}
