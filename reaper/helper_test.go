package reaper

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"runp/proc"
)

// The tests that need processes of their own run a copy of the test binary
// in echo mode: it echoes stdin lines to stdout until EOF. A copy, because
// proc.Signal never sends SIGKILL to a process of this very executable (a
// live runp), and the tests must be able to kill their helpers.
const helperEnv = "RUNP_REAPER_HELPER"

// helperBin is the copy of the test binary that the helpers run.
var helperBin string

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "echo" {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			fmt.Println(sc.Text())
		}
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "reaper-helper")
	if err == nil {
		helperBin = filepath.Join(dir, filepath.Base(os.Args[0]))
		err = copyFile(os.Args[0], helperBin)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper binary:", err)
		os.Exit(2)
	}
	code := m.Run()
	_ = os.RemoveAll(dir) // best effort: a temp dir
	os.Exit(code)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o700)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
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

// startHelper starts an echo helper with env added, its stdin and stdout
// piped; the cleanup kills it by PID and waits for it with a deadline.
func startHelper(tb testing.TB, env []string, mode string) *child {
	tb.Helper()
	c := exec.Command(helperBin)
	c.Env = append(append(os.Environ(), helperEnv+"="+mode), env...)
	return startChild(tb, c)
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

// wait waits for the child to exit, bounded by the test deadline.
func (c *child) wait(tb testing.TB) {
	tb.Helper()
	select {
	case <-c.done:
	case <-time.After(time.Until(testDeadline(tb))):
		tb.Errorf("pid %d did not exit before the deadline", c.cmd.Process.Pid)
	}
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

func readAll(tb testing.TB, pids []int) []proc.Identity {
	tb.Helper()
	var ids []proc.Identity
	for _, pid := range pids {
		id, err := proc.Read(pid)
		if err != nil {
			tb.Fatalf("Read(%d): %v", pid, err)
		}
		ids = append(ids, id)
	}
	return ids
}
