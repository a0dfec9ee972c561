//go:build !linux

package reaper

import "runp/proc"

// sessionCookies: the sessions that were never written are found on Linux
// only, where a runp can be killed before its command has a chance to die
// with it (see supervisor's PR_SET_PDEATHSIG); elsewhere "runp reap" cleans
// the sessions it has files for.
func sessionCookies() ([]string, error) { return nil, proc.ErrUnsupported }
