package supervisor

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestParentDeathRepeat: a repeat of runp's parent-death signal is dropped
// once runp's parent is not the one it started with; anything else is a
// second request.
func TestParentDeathRepeat(t *testing.T) {
	now := time.Now()
	gone := deathSignal{sig: syscall.SIGTERM, parent: os.Getppid() + 1} // runp was re-parented
	cases := []struct {
		name  string
		last  lastStop
		sig   syscall.Signal
		death deathSignal
		want  bool
	}{
		{"re-parented", lastStop{syscall.SIGTERM, now}, syscall.SIGTERM, gone, true},
		{"first signal", lastStop{}, syscall.SIGTERM, gone, false},
		{"another signal", lastStop{syscall.SIGINT, now}, syscall.SIGTERM, gone, false},
		{"not the death signal", lastStop{syscall.SIGINT, now}, syscall.SIGINT, gone, false},
		{"no death signal", lastStop{syscall.SIGTERM, now}, syscall.SIGTERM, deathSignal{parent: gone.parent}, false},
		{"past the window", lastStop{syscall.SIGTERM, now.Add(-escalateWindow)}, syscall.SIGTERM, gone, false},
		// The parent still lives: the wait for it to change ends with the burst.
		{"same parent", lastStop{syscall.SIGTERM, now}, syscall.SIGTERM,
			deathSignal{sig: syscall.SIGTERM, parent: os.Getppid()}, false},
	}
	for _, c := range cases {
		if got := c.last.parentDeathRepeat(c.sig, c.death); got != c.want {
			t.Errorf("%s: parentDeathRepeat = %v, want %v", c.name, got, c.want)
		}
	}
}
