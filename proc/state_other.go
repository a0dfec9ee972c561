//go:build !linux

package proc

import "os"

// SameNamespace: no /proc and no PID namespaces here.
func SameNamespace() bool { return true }

// LastPID: no cheap "a process was created" counter here; every tick walks.
func LastPID() (uint64, bool) { return 0, false }

// HasEnv: runp is a subreaper on Linux only, where the question arises.
func HasEnv(int, uint64, string) (has, sure bool) { return false, false }

// OwnTree: no per-thread children lists here; the snapshot is whole anyway.
func OwnTree([]int) ([]Proc, error) { return Tree(os.Getpid()) }
