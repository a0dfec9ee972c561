//go:build linux

package proc

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// forceFallback makes Tree take the full-scan path; tests set it to cover the
// path this kernel would otherwise never take.
var forceFallback bool

// childrenFileOK reports whether the kernel has /proc/<pid>/task/<tid>/children
// (CONFIG_PROC_CHILDREN, on in every mainstream distribution kernel since
// 4.2, but optional). It probes this process's own main thread, which always
// exists, so a root that dies just before the probe cannot fake an absence.
var childrenFileOK = sync.OnceValue(func() bool {
	pid := strconv.Itoa(os.Getpid())
	_, err := os.Stat("/proc/" + pid + "/task/" + pid + "/children")
	return !errors.Is(err, os.ErrNotExist)
})

func tree(root int, start uint64) ([]Proc, error) {
	pb := getBuf()
	defer putBuf(pb)
	st, err := readStat(root, pb)
	if err != nil {
		return nil, err
	}
	if err := sameRoot(root, st.start, start); err != nil {
		return nil, err
	}
	if forceFallback || !childrenFileOK() {
		treeFallback.Store(true)
		return scanTree(Proc{PID: root, PPID: st.ppid, Start: st.start}, pb)
	}
	treeFallback.Store(false)

	type node struct {
		pid int
		st  statInfo
	}
	var (
		out   []Proc
		kids  []int
		queue = []node{{root, st}}
		seen  = map[int]bool{root: true}
	)
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		kids = childrenOf(n.pid, n.st, pb, kids[:0])
		if len(kids) > 0 {
			// The children were read by path: if n died and a stranger
			// got its PID meanwhile, they are the stranger's. n's start
			// time unchanged after the read proves they were n's.
			if now, err := readStat(n.pid, pb); err != nil || now.start != n.st.start {
				continue
			}
		}
		for _, c := range kids {
			if seen[c] {
				continue // listed twice: the list shifted between reads
			}
			cst, err := readStat(c, pb)
			if err != nil {
				continue // exited since it was listed
			}
			// Between the children read and the stat read the child may
			// have died and its PID gone to a stranger, or its parent may
			// have died and handed it to a reaper. Either way it belongs
			// to the tree only if its parent now is in the tree: the
			// subreaper root keeps orphans, init does not.
			if !seen[cst.ppid] {
				continue
			}
			seen[c] = true
			out = append(out, Proc{PID: c, PPID: cst.ppid, Start: cst.start})
			queue = append(queue, node{c, cst})
		}
	}
	return out, nil
}

// childrenOf appends to kids the PIDs listed in the children files of pid's
// threads. The kernel lists a child under the thread that forked it (Go forks
// from whichever thread the goroutine runs on), so every task must be read.
// A process with one live thread whose leader is alive has only the leader's
// file, which saves the task directory listing; a leader that exited before
// its threads shows state Z, and then its children sit under another thread.
// Errors mean the process went away mid-walk and yield what was read so far.
func childrenOf(pid int, st statInfo, pb *procBuf, kids []int) []int {
	p := strconv.Itoa(pid)
	if st.threads == 1 && st.state != 'Z' {
		return readChildren("/proc/"+p+"/task/"+p+"/children", pb, kids)
	}
	tids, err := listDir("/proc/"+p+"/task", pb)
	if err != nil {
		return kids
	}
	for _, tid := range tids {
		kids = readChildren("/proc/"+p+"/task/"+tid+"/children", pb, kids)
	}
	return kids
}

// readChildren appends the space-separated PIDs of one children file.
// The file is a seq_file indexed by position, served a page at a time: if a
// thread with hundreds of children gains or loses one between two reads, an
// entry can repeat (the caller drops repeats) or be skipped (the next walk
// finds it).
func readChildren(path string, pb *procBuf, kids []int) []int {
	b, err := readProcAt(unix.AT_FDCWD, path, pb, true)
	if err != nil {
		return kids
	}
	for _, f := range bytes.Fields(b) {
		if c, err := strconv.Atoi(string(f)); err == nil && c > 0 {
			kids = append(kids, c)
		}
	}
	return kids
}

// listDir returns the names in dir, using pb for the getdents buffer.
func listDir(dir string, pb *procBuf) ([]string, error) {
	fd, err := openat(unix.AT_FDCWD, dir)
	if err != nil {
		return nil, procErr(dir, err)
	}
	defer func() { _ = unix.Close(fd) }() // best effort: a read-only fd loses nothing
	var names []string
	for {
		n, err := unix.Getdents(fd, pb.b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return names, procErr(dir, err)
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(pb.b[:n], -1, names)
	}
}

// scanTree is the fallback for kernels without children files: one pass over
// every /proc/<pid>/stat, O(processes on the machine), building a
// parent->children map that is then walked from root.
func scanTree(root Proc, pb *procBuf) ([]Proc, error) {
	names, err := listDir("/proc", pb)
	if err != nil {
		return nil, err
	}
	children := make(map[int][]Proc)
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid <= 0 || pid == root.PID {
			continue
		}
		st, err := readStat(pid, pb)
		if err != nil {
			continue // exited since the listing
		}
		children[st.ppid] = append(children[st.ppid], Proc{PID: pid, PPID: st.ppid, Start: st.start})
	}
	return walk(root, children, nil), nil
}
