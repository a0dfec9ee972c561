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
	names, err := listDir("/proc", pb)
	if err != nil {
		return nil, err
	}
	uid := os.Geteuid()
	self := os.Getpid()
	var out []Identity
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid <= 0 || pid == self {
			continue
		}
		if start, ino, ok := envMatch(name, uid, entry, pb); ok {
			out = append(out, Identity{PID: pid, Start: start, Boot: boot, Ino: ino})
		}
	}
	return out, nil
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
	for len(env) > 0 {
		i := bytes.IndexByte(env, 0)
		if i < 0 {
			i = len(env)
		}
		if string(env[:i]) == entry {
			return true
		}
		if i == len(env) {
			break
		}
		env = env[i+1:]
	}
	return false
}

// EnvValues returns the values of the environment variable key carried by
// the processes of the machine the caller may read (all, as root), each
// once: one read of every process's environment. Linux only.
func EnvValues(key string) ([]string, error) {
	pb := getBuf()
	defer putBuf(pb)
	names, err := listDir("/proc", pb)
	if err != nil {
		return nil, err
	}
	uid := os.Geteuid()
	self := os.Getpid()
	prefix := []byte(key + "=")
	seen := map[string]bool{}
	var out []string
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid <= 0 || pid == self {
			continue
		}
		readEnv(name, uid, pb, func(_ int, env []byte) bool {
			for len(env) > 0 {
				i := bytes.IndexByte(env, 0)
				if i < 0 {
					i = len(env)
				}
				if v, ok := bytes.CutPrefix(env[:i], prefix); ok && !seen[string(v)] {
					seen[string(v)] = true
					out = append(out, string(v))
				}
				if i == len(env) {
					break
				}
				env = env[i+1:]
			}
			return true
		})
	}
	return out, nil
}
