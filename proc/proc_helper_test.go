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
	"syscall"
	"testing"

	"runp/internal/testenv"
)

// The tests re-execute the test binary as their child processes
// (testenv.Helpers), so they need no shell and behave alike on every OS.
const helperEnv = "RUNP_REAPER_HELPER"

// helpers are the bodies of the helper processes:
//
//   - echo: echo stdin lines to stdout until EOF.
//   - fork N threaded depth: start N children (fork N threaded depth-1, or
//     echo at depth 1), print "pid ppid" for every descendant, then "ready",
//     then wait for EOF on stdin. With threaded=1 each child is started from
//     its own locked OS thread, which stays alive, so the kernel lists the
//     children under different tasks.
var helpers = map[string]func(args []string) int{
	"echo": func([]string) int {
		echoLines()
		return 0
	},
	"fork": func(args []string) int {
		n, _ := strconv.Atoi(args[0])
		depth, _ := strconv.Atoi(args[2])
		forkChildren(n, args[1] == "1", depth)
		return 0
	},
}

func TestMain(m *testing.M) {
	testenv.Helpers{Env: helperEnv, Bodies: helpers}.Main()
	os.Exit(m.Run())
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
	return testenv.Helpers{Env: helperEnv}.Command(mode, args...)
}

// child is a started helper process.
type child = testenv.Child

func startHelper(tb testing.TB, env []string, mode string, args ...string) *child {
	tb.Helper()
	c := helperCmd(mode, args...)
	c.Env = append(c.Env, env...)
	return testenv.StartChild(tb, c)
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
		l := root.Line(tb)
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
		_ = root.Stdin.Close() // EOF: the tree winds itself down
		root.Wait(tb)
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
	gone := testenv.Eventually(tb, func() bool {
		cur, err := Read(id.PID)
		return errors.Is(err, ErrGone) || (err == nil && !cur.Same(id)) || zombie(id.PID)
	})
	if !gone {
		tb.Errorf("%v still running after the deadline", id)
	}
}
