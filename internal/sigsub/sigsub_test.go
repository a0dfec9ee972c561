//go:build unix

package sigsub

import (
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"runp/internal/testenv"
)

const helperEnv = "SIGSUB_TEST_HELPER"

// TestMain runs the helper process of TestTakeCatches: it starts a
// subscription as package early does, takes it (a second Take finds none),
// and catches a SIGTERM.
func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "" {
		os.Exit(m.Run())
	}
	Start()
	c := Take()
	if Take() != nil {
		os.Exit(6)
	}
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
	if err := testenv.Run(t, cmd); err != nil {
		t.Fatalf("helper: %v, want exit 0 (SIGTERM caught, and one Take only)", err)
	}
}

func TestTakeOnce(t *testing.T) {
	if Take() != nil {
		t.Fatal("Take without Start returned a subscription")
	}
}

// TestForwarded: the stops, the user signals and the real-time ones are
// forwarded; what runp keeps for itself, what nothing catches and what the
// C libraries reserve are not.
func TestForwarded(t *testing.T) {
	got := forwarded()
	has := func(n int) bool { return slices.Contains(got, os.Signal(syscall.Signal(n))) }
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1,
		syscall.SIGPIPE, syscall.SIGCONT} {
		if !has(int(sig)) {
			t.Errorf("%v is not forwarded", sig)
		}
	}
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, syscall.SIGWINCH,
		syscall.SIGTSTP, syscall.SIGURG, syscall.SIGPROF} {
		if has(int(sig)) {
			t.Errorf("%v is forwarded", sig)
		}
	}
	for n := 32; n <= lastSignal; n++ {
		if has(n) == reserved(syscall.Signal(n)) {
			t.Errorf("signal %d: forwarded %v, reserved %v", n, has(n), reserved(syscall.Signal(n)))
		}
	}
}
