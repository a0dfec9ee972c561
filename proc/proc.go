package proc

import (
	"fmt"
	"sync/atomic"
)

// Proc is one row of a process snapshot.
type Proc struct {
	PID, PPID int
	// Start has the same meaning as Identity.Start.
	Start uint64
}

// treeFallback records whether the last Tree call scanned the whole process
// table instead of walking children links. It is always true on darwin and
// windows, where a full snapshot is the only way; on linux it is true only
// when the kernel lacks /proc/<pid>/task/<tid>/children.
var treeFallback atomic.Bool

// Tree returns root's descendants, not root itself, breadth-first, from one
// walk of the process table. It returns an error wrapping ErrGone if root does
// not exist. Processes that vanish during the walk are skipped silently, and
// processes born during it may be missed: the snapshot is not atomic, which is
// why the reaper walks again on every tick. Every returned PPID is root or
// the PID of another returned process. Zombies are included on linux and
// darwin (they still hold their PID until reaped); on windows an exited
// process is left out.
//
// Cost is O(size of the tree), never O(processes on the machine), where the
// OS allows it:
//   - linux: /proc/<pid>/task/<tid>/children of every thread of every process
//     reached (the kernel lists a child under the thread that forked it, so a
//     multi-threaded parent needs every task), and /proc/<pid>/stat once per
//     process found. A child whose stat no longer names a tree member as its
//     parent (it died and its PID was reused, or it was orphaned to an init
//     outside the tree while the walk ran) is left out. Kernels built
//     without CONFIG_PROC_CHILDREN have no children file; Tree then falls
//     back to one scan of /proc/[0-9]*/stat, O(machine), and treeFallback
//     records it.
//   - darwin: one sysctl kern.proc.all snapshot (the kernel offers nothing
//     narrower), then a walk of a parent->children map.
//   - windows: one Toolhelp snapshot, then a walk of a parent->children map;
//     creation times are read for tree members only. Windows never updates a
//     PPID when the parent dies, so it may name a later process that reused
//     the PID: an edge is only accepted when the child is not older than the
//     parent, and members whose creation time cannot be read are left out.
func Tree(root int) ([]Proc, error) {
	return TreeOf(Identity{PID: root})
}

// TreeOf is Tree of the process root names: when root.Start is set and
// root's PID now names a process that started at another time, it returns
// an error wrapping ErrReused, so that the walk never lists a stranger's
// children. The start time is compared with the one the walk itself reads,
// and on Linux read again after each read of the root's children.
func TreeOf(root Identity) ([]Proc, error) {
	if root.PID <= 0 {
		return nil, fmt.Errorf("tree of pid %d: %w", root.PID, ErrGone)
	}
	return tree(root.PID, root.Start)
}

// sameRoot checks the start time that a walk read for root against start,
// the one its caller expects (0: any).
func sameRoot(root int, read, start uint64) error {
	if start != 0 && read != start {
		return fmt.Errorf("tree of pid %d (start %d): it started at %d: %w", root, start, read, ErrReused)
	}
	return nil
}

// Cmdline returns a readable command line for pid: argv joined by spaces, or
// "" if it cannot be read. On linux a process with an empty argv (kernel
// threads, zombies) is shown by its name in brackets, as ps does: "[kthreadd]".
// So is, briefly, a process in the middle of execve: the kernel closes the
// close-on-exec fds, which is when the parent's fork and exec returns,
// before it sets up the new argv.
func Cmdline(pid int) string {
	if pid <= 0 {
		return ""
	}
	return cmdline(pid)
}

// walk returns root's descendants breadth-first from a parent->children map
// of a full snapshot. accept, if not nil, vets each edge and may fill in the
// child's fields.
func walk(root Proc, children map[int][]Proc, accept func(parent Proc, child *Proc) bool) []Proc {
	var out []Proc
	seen := map[int]bool{root.PID: true}
	queue := []Proc{root}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		for _, c := range children[parent.PID] {
			// PID 0 is its own parent on some systems, and a reused PID
			// could close a loop: never visit a process twice.
			if seen[c.PID] {
				continue
			}
			if accept != nil && !accept(parent, &c) {
				continue
			}
			seen[c.PID] = true
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}
