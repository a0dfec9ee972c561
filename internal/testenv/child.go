package testenv

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Child is a started process with its stdin and stdout piped, its stdout
// read line by line.
type Child struct {
	Cmd   *exec.Cmd
	Stdin io.WriteCloser
	// Lines carries what the child prints, a line at a time; it is closed
	// at EOF.
	Lines chan string
	done  chan struct{} // closed once Wait has returned
}

// StartChild starts c with stdin and stdout piped and stderr the test
// binary's; the cleanup kills it by PID and waits for it within the
// test's deadline.
func StartChild(tb testing.TB, c *exec.Cmd) *Child {
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
	ch := &Child{Cmd: c, Stdin: in, Lines: make(chan string, 256), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			ch.Lines <- sc.Text()
		}
		close(ch.Lines)
		_ = c.Wait() // the status stays in c.ProcessState
		close(ch.done)
	}()
	tb.Cleanup(func() {
		_ = c.Process.Kill() // best effort: it may have exited already
		ch.Wait(tb)
	})
	return ch
}

// Wait waits for the child to exit; the test fails (and goes on) if it
// has not by the deadline.
func (c *Child) Wait(tb testing.TB) {
	tb.Helper()
	select {
	case <-c.done:
	case <-time.After(time.Until(Deadline(tb))):
		tb.Errorf("pid %d did not exit before the deadline", c.Cmd.Process.Pid)
	}
}

// Line returns the next line the child prints, within the deadline.
func (c *Child) Line(tb testing.TB) string {
	tb.Helper()
	select {
	case l, ok := <-c.Lines:
		if !ok {
			tb.Fatalf("pid %d closed stdout early", c.Cmd.Process.Pid)
		}
		return l
	case <-time.After(time.Until(Deadline(tb))):
		tb.Fatalf("pid %d: no output before the deadline", c.Cmd.Process.Pid)
	}
	return ""
}

// Alive proves that a child that echoes its input still runs, by a round
// trip through it.
func (c *Child) Alive(tb testing.TB) bool {
	tb.Helper()
	if _, err := io.WriteString(c.Stdin, "ping\n"); err != nil {
		return false
	}
	select {
	case l := <-c.Lines:
		return l == "ping"
	case <-c.done:
		return false
	case <-time.After(time.Until(Deadline(tb))):
		return false
	}
}
