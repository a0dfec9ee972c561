//go:build unix

package supervisor

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestPrepareCancelRaises: a SIGTERM that arrives between Prepare and its
// cancel, with no Run to handle it, ends the process as it would have
// without Prepare.
func TestPrepareCancelRaises(t *testing.T) {
	if os.Getenv("RUNP_PREPARE_HELPER") == "1" {
		cancel := Prepare()
		sub := prepared.sub
		<-sub.All
		_ = unix.Kill(os.Getpid(), unix.SIGTERM)
		for deadline := time.Now().Add(10 * time.Second); len(sub.Sigs) == 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond) // polling, bounded
		}
		cancel()
		<-time.After(10 * time.Second) // the bound for the signal to end us
		os.Exit(0)
	}
	ctx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPrepareCancelRaises$")
	cmd.Env = append(os.Environ(), "RUNP_PREPARE_HELPER=1")
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("helper: %v, want death by SIGTERM", err)
	}
	if ws := ee.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("helper ended with %v, want death by SIGTERM", ee)
	}
}

// TestPrepareIsTakenByRun: Run takes over Prepare's subscription, and the
// cancel that comes after it does nothing.
func TestPrepareIsTakenByRun(t *testing.T) {
	cancel := Prepare()
	sub := prepared.sub
	ctx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	res, err := Run(ctx, Config{Argv: []string{"true"}, Stdin: devNull(t), Stdout: os.Stdout, Stderr: os.Stderr, StateDir: t.TempDir()})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	if prepared.sub != nil {
		t.Fatal("Run left the prepared subscription in place")
	}
	select {
	case <-sub.Ready:
	default:
		t.Fatal("Run did not wait for the prepared subscription")
	}
	cancel() // must not re-raise anything nor block
}

func devNull(t *testing.T) *os.File {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// TestSignalBeforeStart: a SIGTERM that arrives while Run gets ready (here
// between Prepare and Run) means the command is never started, and Run ends
// as the signal would have ended runp: 128+15.
func TestSignalBeforeStart(t *testing.T) {
	cancel := Prepare()
	defer cancel()
	sub := prepared.sub
	<-sub.Ready
	_ = unix.Kill(os.Getpid(), unix.SIGTERM)
	for deadline := time.Now().Add(10 * time.Second); len(sub.Sigs) == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond) // polling, bounded
	}
	var log lockedBuffer
	ctx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	res, err := Run(ctx, Config{Argv: []string{"true"}, Stdin: devNull(t), Stdout: os.Stdout, Stderr: os.Stderr,
		StateDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil || res.ExitCode != 128+int(unix.SIGTERM) || res.Signal != unix.SIGTERM {
		t.Fatalf("Run = %+v, %v; want exit 143 by SIGTERM", res, err)
	}
	if strings.Contains(log.String(), "spawned") {
		t.Fatalf("the command was started although SIGTERM came first:\n%s", log.String())
	}
}

// lockedBuffer is a log destination that goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
