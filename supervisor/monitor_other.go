//go:build !unix

package supervisor

// runMonitor: only Unix has this job control; runp starts no monitor
// elsewhere.
func runMonitor([]string) int { return ExitRunpFailed }
