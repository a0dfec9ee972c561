//go:build !linux

package reaper

// pidNS: only Linux has PID namespaces.
func pidNS() uint64 { return 0 }
