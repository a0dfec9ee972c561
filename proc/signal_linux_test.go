//go:build linux

package proc

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSignalNoPidfd runs the kill(2) path of kernels older than 5.3.
func TestSignalNoPidfd(t *testing.T) {
	was := noPidfd.Load()
	noPidfd.Store(true)
	t.Cleanup(func() { noPidfd.Store(was) })
	testSignal(t)
}

// TestPidfdAvailable reports which path TestSignal took here.
func TestPidfdAvailable(t *testing.T) {
	fd, err := unix.PidfdOpen(os.Getpid(), 0)
	if errors.Is(err, unix.ENOSYS) {
		t.Skip("no pidfd_open on this kernel: Signal uses kill(2)")
	}
	if err != nil {
		t.Fatalf("pidfd_open(self): %v", err)
	}
	_ = unix.Close(fd) // best effort
}
