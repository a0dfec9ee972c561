//go:build linux

package supervisor

import "golang.org/x/sys/unix"

// setSubreaper makes orphaned descendants (double forks, setsid escapees) be
// re-parented to runp instead of to init, so they stay in runp's tree.
func setSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}
