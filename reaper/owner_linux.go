//go:build linux

package reaper

import "golang.org/x/sys/unix"

// pidNS returns the inode of this process's PID namespace, or 0.
func pidNS() uint64 {
	var st unix.Stat_t
	if unix.Stat("/proc/self/ns/pid", &st) != nil {
		return 0
	}
	return st.Ino
}
