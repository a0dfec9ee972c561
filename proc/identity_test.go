package proc

import (
	"errors"
	"os"
	"testing"
)

func TestReadSelf(t *testing.T) {
	a, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !a.Same(b) || a != b {
		t.Errorf("two reads differ: %+v, %+v", a, b)
	}
	boot, err := BootID()
	if err != nil {
		t.Fatal(err)
	}
	if a.PID != os.Getpid() || a.Start == 0 || a.Boot == "" || a.Boot != boot {
		t.Errorf("Read(self) = %+v, boot id %q", a, boot)
	}
	// A child of this process, not its parent: a parent may be gone (on
	// Windows its PID may name a later process), or not a process of this
	// system at all (under wine, os.Getppid() is 0).
	c := startHelper(t, nil, "echo")
	child, err := Read(c.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if a.Start > child.Start {
		t.Errorf("parent %+v younger than child %+v", a, child)
	}
}

func TestReadGone(t *testing.T) {
	c := startHelper(t, nil, "echo")
	pid := c.Cmd.Process.Pid
	if _, err := Read(pid); err != nil {
		t.Fatalf("Read(live %d): %v", pid, err)
	}
	_ = c.Stdin.Close() // EOF: the helper exits
	c.Wait(t)
	if id, err := Read(pid); !errors.Is(err, ErrGone) {
		t.Errorf("Read(reaped %d) = %+v, %v; want ErrGone", pid, id, err)
	}
	for _, pid := range []int{0, -1} {
		if _, err := Read(pid); !errors.Is(err, ErrGone) {
			t.Errorf("Read(%d): %v, want ErrGone", pid, err)
		}
	}
}

func TestSame(t *testing.T) {
	id := Identity{PID: 10, Start: 500, Boot: "b"}
	for _, tc := range []struct {
		other Identity
		want  bool
	}{
		{id, true},
		{Identity{PID: 10, Start: 501, Boot: "b"}, false},
		{Identity{PID: 11, Start: 500, Boot: "b"}, false},
		{Identity{PID: 10, Start: 500, Boot: "c"}, false},
		{Identity{}, false},
		// The exact identifier decides when both sides have it; otherwise
		// the start time does.
		{Identity{PID: 10, Start: 500, Boot: "b", Ino: 7}, true},
	} {
		if got := id.Same(tc.other); got != tc.want {
			t.Errorf("%+v.Same(%+v) = %v", id, tc.other, got)
		}
	}
}

func TestSameExact(t *testing.T) {
	id := Identity{PID: 10, Start: 500, Boot: "b", Ino: 77}
	for _, tc := range []struct {
		other Identity
		want  bool
	}{
		{id, true},
		{Identity{PID: 10, Start: 500, Boot: "b", Ino: 78}, false}, // the PID reused within one tick
		{Identity{PID: 10, Start: 500, Boot: "b"}, true},           // recorded without pidfs
		{Identity{PID: 10, Start: 501, Boot: "b", Ino: 77}, false},
		{Identity{PID: 11, Start: 500, Boot: "b", Ino: 77}, false},
		{Identity{PID: 10, Start: 500, Boot: "c", Ino: 77}, false},
	} {
		if got := id.Same(tc.other); got != tc.want || tc.other.Same(id) != tc.want {
			t.Errorf("%+v.Same(%+v) = %v", id, tc.other, got)
		}
	}
}
