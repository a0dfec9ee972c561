//go:build unix && !linux

package supervisor

import "syscall"

// dieWithRunp: only Linux has a parent-death signal.
func dieWithRunp(*command, syscall.Signal) (unpin func()) { return func() {} }

// startPinned: without dieWithRunp, nothing is pinned.
func (cmd *command) startPinned() (int, error) { return cmd.forkExec() }
