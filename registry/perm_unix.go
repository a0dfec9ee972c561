//go:build unix

package registry

import (
	"fmt"
	"os"
	"syscall"
)

// checkDir refuses a state directory that someone else could redirect or
// write into: a symlink, a world-writable directory, or one owned by another
// user. Lstat, so that the link itself is judged, not its target.
func checkDir(path string) error {
	fi, err := lstatDir(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o002 != 0 {
		return fmt.Errorf("%w: %s is world-writable (mode %#o)", errUnsafeDir, path, fi.Mode().Perm())
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%w: %s is owned by uid %d, not by uid %d", errUnsafeDir, path, st.Uid, os.Geteuid())
	}
	return nil
}
