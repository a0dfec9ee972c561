package proc

import (
	"errors"
	"strings"
	"testing"
)

func TestTree(t *testing.T) {
	cases := []struct {
		name     string
		n, depth int
		threaded bool
	}{
		{"flat", 3, 1, false},
		{"nested", 2, 3, false}, // 2 + 4 + 8 descendants
		{"threaded", 4, 1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root, want := startTree(t, tc.n, tc.threaded, tc.depth)
			checkTree(t, root.Cmd.Process.Pid, want)
		})
	}
}

// checkTree checks that Tree(root) is exactly want (pid -> ppid), in
// breadth-first order, with start times that match Read.
func checkTree(t *testing.T, root int, want map[int]int) {
	t.Helper()
	got, err := Tree(root)
	if err != nil {
		t.Fatalf("Tree(%d): %v", root, err)
	}
	depth := map[int]int{root: 0}
	for _, p := range got {
		if want[p.PID] != p.PPID {
			t.Errorf("Tree(%d) has %+v; want ppid %d (fallback %v)", root, p, want[p.PID], treeFallback.Load())
		}
		d, ok := depth[p.PPID]
		if !ok {
			t.Errorf("%+v listed before its parent", p)
		}
		depth[p.PID] = d + 1
		if id, err := Read(p.PID); err != nil || id.Start != p.Start {
			t.Errorf("%+v: Read says %v, %v", p, id, err)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Tree(%d) found %d processes, want %d: %+v vs %v", root, len(got), len(want), got, want)
	}
}

func TestTreeGone(t *testing.T) {
	c := startHelper(t, nil, "echo")
	pid := c.Cmd.Process.Pid
	_ = c.Stdin.Close() // EOF: the helper exits
	c.Wait(t)
	if _, err := Tree(pid); !errors.Is(err, ErrGone) {
		t.Errorf("Tree of a reaped pid: %v, want ErrGone", err)
	}
}

// TestTreeOfReused: a walk from a root whose PID names a process that
// started at another time than the one asked for lists nothing.
func TestTreeOfReused(t *testing.T) {
	root, want := startTree(t, 2, false, 1)
	id, err := Read(root.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := TreeOf(id); err != nil || len(got) != len(want) {
		t.Fatalf("TreeOf(%v) = %d processes, %v; want %d", id, len(got), err, len(want))
	}
	id.Start++
	if got, err := TreeOf(id); !errors.Is(err, ErrReused) || len(got) != 0 {
		t.Errorf("TreeOf(%v), another start time: %+v, %v; want ErrReused", id, got, err)
	}
}

func TestCmdline(t *testing.T) {
	c := startHelper(t, nil, "echo", "cmdline-of", "the-helper")
	// exec.Cmd.Start returns when the kernel closes the child's close-on-exec
	// fds, before the new image's argv is in place: until the helper answers,
	// its cmdline may still read as empty.
	if !c.Alive(t) {
		t.Fatal("helper did not answer")
	}
	if got := Cmdline(c.Cmd.Process.Pid); !strings.Contains(got, "cmdline-of the-helper") {
		t.Errorf("Cmdline = %q", got)
	}
	if got := Cmdline(-1); got != "" {
		t.Errorf("Cmdline(-1) = %q", got)
	}
}
