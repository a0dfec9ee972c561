//go:build unix && !linux

package supervisor

// dieWithRunp: only Linux has a parent-death signal.
func dieWithRunp(*command) (unpin func()) { return func() {} }
