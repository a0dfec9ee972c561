//go:build windows

package proc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

func TestNamedSnapshotSelf(t *testing.T) {
	procs, err := namedSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	exe := strings.ToLower(filepath.Base(os.Args[0]))
	for _, p := range procs {
		if p.PID == os.Getpid() {
			named := strings.EqualFold(p.Name, exe) || strings.EqualFold(p.Name+".exe", exe)
			if p.PPID != os.Getppid() || !named {
				t.Errorf("own row %+v, want ppid %d and name %q", p, os.Getppid(), exe)
			}
			return
		}
	}
	t.Errorf("own pid %d not in the snapshot of %d processes", os.Getpid(), len(procs))
}

// The test binary has created no pseudo console: whatever conhost it has
// (the one Windows gave it a console with) is older than now.
func TestFindConhostsNone(t *testing.T) {
	var now windows.Filetime
	windows.GetSystemTimeAsFileTime(&now)
	ids, err := FindConhosts(uint64(now.HighDateTime)<<32 | uint64(now.LowDateTime))
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 0 {
		t.Errorf("FindConhosts found %+v, want none", ids)
	}
}

// Windows never rewrites a PPID, so Tree must only follow an edge to a
// child that is not older than its parent; in a live tree every edge is
// such an edge, and all of them must be found.
func TestTreeEdgesNotOlder(t *testing.T) {
	root, want := startTree(t, 2, false, 2)
	rootID, err := Read(root.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Tree(rootID.PID)
	if err != nil {
		t.Fatal(err)
	}
	start := map[int]uint64{rootID.PID: rootID.Start}
	for _, p := range got {
		start[p.PID] = p.Start
	}
	for _, p := range got {
		ps, ok := start[p.PPID]
		if !ok {
			t.Errorf("%+v: parent not in the tree", p)
			continue
		}
		if p.Start < ps {
			t.Errorf("%+v is older than its parent (start %d)", p, ps)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Tree found %d processes, want %d", len(got), len(want))
	}
}
