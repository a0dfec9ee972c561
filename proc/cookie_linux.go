//go:build linux

package proc

import (
	"bytes"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

func findByEnv(entry string) ([]Identity, error) {
	boot, err := bootID()
	if err != nil {
		return nil, err
	}
	pb := getBuf()
	defer putBuf(pb)
	uid := os.Geteuid()
	var out []Identity
	err = otherProcesses(pb, func(name string, pid int) {
		if start, ino, ok := envMatch(name, uid, entry, pb); ok {
			out = append(out, Identity{PID: pid, Start: start, Boot: boot, Ino: ino})
		}
	})
	return out, err
}

// otherProcesses calls f with the /proc name and the PID of every process
// but this one.
func otherProcesses(pb *procBuf, f func(name string, pid int)) error {
	names, err := listDir("/proc", pb)
	if err != nil {
		return err
	}
	self := os.Getpid()
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid <= 0 || pid == self {
			continue
		}
		f(name, pid)
	}
	return nil
}

// envMatch checks one process and returns its start time if its environment
// holds entry. The stat is read through the directory fd the environment was
// read through (see readEnv), so the start time belongs to the environment
// matched here. So does the pidfs inode number (0 without pidfs), from a
// pidfd opened on the PID before the stat read.
func envMatch(name string, uid int, entry string, pb *procBuf) (start, ino uint64, ok bool) {
	ok = readEnv(name, uid, pb, func(dfd int, env []byte) bool {
		if !hasEntry(env, entry) {
			return false
		}
		// The stat read through dfd after the pidfd was opened proves that
		// the PID was still dfd's process when the pidfd took it.
		pid, _ := strconv.Atoi(name)
		fd, _ := openPidfd(pid) // -1 without one: the start time alone
		defer closeFd(fd)
		b, err := readProcAt(dfd, "stat", pb, true)
		if err != nil {
			return false
		}
		st, err := parseStat(b)
		if err != nil {
			return false
		}
		if fd >= 0 {
			ino = pidfdIno(fd)
		}
		start = st.start
		return true
	})
	return start, ino, ok
}

// readEnv reads the environment block of /proc/<name> and returns f's
// answer about it, or false when it cannot be read. f also gets the
// directory fd the block was read through: files opened relative to it
// answer ESRCH once that process is gone, even if its PID has been given to
// another process, so what f reads through it belongs to the same process.
// Unless uid is 0 (root), the process of another user than uid is skipped:
// /proc/<pid> is owned by the process's effective uid (root when it is not
// dumpable), and reading its environ would fail anyway, after a costlier
// permission check. The block lives in pb until its next use.
func readEnv(name string, uid int, pb *procBuf, f func(dfd int, env []byte) bool) bool {
	dfd, err := openat(unix.AT_FDCWD, "/proc/"+name)
	if err != nil {
		return false
	}
	defer func() { _ = unix.Close(dfd) }() // best effort: a read-only fd loses nothing
	if uid != 0 {
		var st unix.Stat_t
		if unix.Fstat(dfd, &st) != nil || int(st.Uid) != uid {
			return false
		}
	}
	env, err := readProcAt(dfd, "environ", pb, false)
	if err != nil {
		return false
	}
	return f(dfd, env)
}

// hasEntry reports whether the NUL-separated block env holds entry as one
// whole entry.
func hasEntry(env []byte, entry string) bool {
	found := false
	eachEntry(env, func(e []byte) bool {
		found = string(e) == entry
		return !found
	})
	return found
}

// eachEntry calls f with every entry of the NUL-separated block env, until
// f returns false.
func eachEntry(env []byte, f func(entry []byte) bool) {
	for len(env) > 0 {
		i := bytes.IndexByte(env, 0)
		if i < 0 {
			i = len(env)
		}
		if !f(env[:i]) || i == len(env) {
			return
		}
		env = env[i+1:]
	}
}

// EnvValues returns the values of the environment variable key carried by
// the processes of the machine the caller may read (all, as root), each
// once: one read of every process's environment. Linux only.
func EnvValues(key string) ([]string, error) {
	pb := getBuf()
	defer putBuf(pb)
	uid := os.Geteuid()
	prefix := []byte(key + "=")
	seen := map[string]bool{}
	var out []string
	err := otherProcesses(pb, func(name string, _ int) {
		readEnv(name, uid, pb, func(_ int, env []byte) bool {
			eachEntry(env, func(e []byte) bool {
				if v, ok := bytes.CutPrefix(e, prefix); ok && !seen[string(v)] {
					seen[string(v)] = true
					out = append(out, string(v))
				}
				return true
			})
			return true
		})
	})
	return out, err
}
