//go:build unix

package sigsub

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

const helperEnv = "SIGSUB_TEST_HELPER"

// TestMain runs the helper process of TestTakeCatches: it starts a
// subscription as package early does, takes it, and catches a SIGTERM.
func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "" {
		os.Exit(m.Run())
	}
	Start()
	c := Take()
	<-c.Ready
	_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case sig := <-c.Sigs:
		if sig == syscall.SIGTERM {
			os.Exit(0)
		}
		os.Exit(4)
	case <-time.After(10 * time.Second):
		os.Exit(5)
	}
}

func TestTakeCatches(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // best effort: gone already when it passes
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("helper: %v, want exit 0 (SIGTERM caught)", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("helper did not exit")
	}
}

func TestTakeOnce(t *testing.T) {
	if Take() != nil {
		t.Fatal("Take without Start returned a subscription")
	}
}

func TestForwardedLeavesKeptAndReserved(t *testing.T) {
	for _, sig := range Forwarded() {
		s := sig.(syscall.Signal)
		for _, k := range kept {
			if s == k {
				t.Errorf("%v is kept, and forwarded", s)
			}
		}
		if reserved(s) {
			t.Errorf("%v is reserved, and forwarded", s)
		}
	}
}
