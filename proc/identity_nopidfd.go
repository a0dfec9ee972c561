//go:build !linux

package proc

// Only Linux has pidfds. On darwin a PID is checked, then signalled; on
// windows Signal holds a process handle across its check and its kill.

func closeFd(int) {}

func hold(Identity, int) {}

func release(Identity) {}

func heldAlive(Identity) (alive, ok bool) { return false, false }
