//go:build linux

package proc

import (
	"bytes"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Exited reports whether pid is a zombie: dead, only waiting for its parent.
// A leader that exited before its other threads shows Z as well, but its
// process runs on: only one with no thread left is a zombie (see look).
func Exited(pid int) bool {
	pb := getBuf()
	defer putBuf(pb)
	st, err := readStat(pid, pb)
	return err == nil && (st.state == 'Z' || st.state == 'X') && st.threads <= 1
}

// SameNamespace reports whether /proc is this PID namespace's: /proc/self
// names our own PID. In a new PID namespace whose /proc was not mounted anew
// it names our PID in the parent namespace instead.
func SameNamespace() bool {
	self, err := os.Readlink("/proc/self")
	return err == nil && self == strconv.Itoa(os.Getpid())
}

// LastPID returns the last PID the kernel handed out in this PID namespace,
// the fifth field of /proc/loadavg: if it has not moved, no process (and no
// thread) was created since. One read of a small file, versus a walk that
// opens several files per process of the tree. It is all an idle tick does,
// with raw system calls (see readProcAt).
func LastPID() (uint64, bool) {
	pb := getBuf()
	defer putBuf(pb)
	b, err := readProcAt(unix.AT_FDCWD, "/proc/loadavg", pb, true)
	if err != nil {
		return 0, false
	}
	b = bytes.TrimSpace(b)
	i := bytes.LastIndexByte(b, ' ')
	n, err := strconv.ParseUint(string(b[i+1:]), 10, 64)
	return n, err == nil
}

// HasEnv reports whether pid, started at start, carries entry (KEY=value)
// in its environment; sure is false when the environment could not be read
// (the process is exiting, or gone), or pid is another process by now.
func HasEnv(pid int, start uint64, entry string) (has, sure bool) {
	pb := getBuf()
	defer putBuf(pb)
	sure = readEnv(strconv.Itoa(pid), 0, pb, func(dfd int, env []byte) bool {
		if len(env) == 0 {
			return false
		}
		has = hasEntry(env, entry)
		b, err := readProcAt(dfd, "stat", pb, true)
		if err != nil {
			return false
		}
		st, err := parseStat(b)
		return err == nil && st.start == start
	})
	return has && sure, sure
}

// OwnTree is Tree(os.Getpid()) for runp as a subreaper, in a fraction of the
// reads. A Go process has several threads, and the kernel lists a child
// under the thread that forked it, so Tree reads every thread's children
// file on every tick. But runp's only children are the ones it started,
// whose PIDs it knows, and orphans, which the kernel hands to the first live
// thread of the subreaper, its main thread (find_alive_thread), which never
// exits in Go. So the main thread's file plus the known PIDs are all of them.
func OwnTree(known []int) ([]Proc, error) {
	if forceFallback || !childrenFileOK() {
		return Tree(os.Getpid())
	}
	self := os.Getpid()
	pb := getBuf()
	defer putBuf(pb)
	s := strconv.Itoa(self)
	kids := append(readChildren("/proc/"+s+"/task/"+s+"/children", pb, nil), known...)
	seen := make(map[int]bool, len(kids))
	var out []Proc
	for _, c := range kids {
		if seen[c] {
			continue
		}
		seen[c] = true
		st, err := readStat(c, pb)
		if err != nil || st.ppid != self {
			continue // gone, or not (or no longer) runp's child
		}
		out = append(out, Proc{PID: c, PPID: self, Start: st.start})
		sub, err := Tree(c)
		if err != nil {
			continue
		}
		out = append(out, sub...)
	}
	return out, nil
}
