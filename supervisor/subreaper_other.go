//go:build unix && !linux

package supervisor

// setSubreaper: only Linux has child subreapers; elsewhere escapees are found
// by the reaper's snapshots and the RUNP_SESSION cookie.
func setSubreaper() error { return ErrUnsupported }
