package testenv

import (
	"os/exec"
	"testing"
	"time"
)

// Patience bounds every wait of a test. It is a hang guard, not a timing
// goal: a passing run never gets near it.
const Patience = 30 * time.Second

// Deadline is when a test's waits give up: Patience from now, or sooner
// if go test's own deadline (-timeout) is nearer, so that a hang fails the
// test that hangs, with its output, rather than the whole binary.
func Deadline(tb testing.TB) time.Time {
	d := time.Now().Add(Patience)
	if t, ok := tb.(interface{ Deadline() (time.Time, bool) }); ok {
		if td, ok := t.Deadline(); ok && td.Add(-2*time.Second).Before(d) {
			d = td.Add(-2 * time.Second)
		}
	}
	return d
}

// Eventually polls cond every 5 ms until it holds, and reports whether it
// did before the test's Deadline. Polling with a bound, not synchronisation.
func Eventually(tb testing.TB, cond func() bool) bool {
	tb.Helper()
	end := Deadline(tb)
	for !cond() {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// WaitFor is Eventually that fails the test, naming what it waited for.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	if !Eventually(tb, cond) {
		tb.Fatalf("timed out waiting for %s", what)
	}
}

// Run runs cmd to its end within the test's Deadline and returns Wait's
// error. A process that outlives the deadline is killed and fails the test;
// cmd is killed by PID in cleanup in any case (it has exited by then,
// unless the test stopped early).
func Run(tb testing.TB, cmd *exec.Cmd) error {
	tb.Helper()
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = time.Second // a leftover holding its output pipes does not hold Wait
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill() }) // best effort: exited already
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Until(Deadline(tb))):
		_ = cmd.Process.Kill() // best effort: the test fails anyway
		<-done
		tb.Fatalf("%s did not exit within %v", cmd.Path, Patience)
		return nil
	}
}
