package supervisor

import (
	"os"
	"strconv"

	"runp/internal/sigsub"
)

// monitorEnv marks a process that runp started as its job-control monitor
// (see monitor_unix.go); the monitor removes it before the command runs.
const monitorEnv = sigsub.MonitorEnv

// Monitor runs the job-control monitor and returns its exit status with ok
// true when this process was started as one by a Run with
// Config.JobControl; otherwise it returns at once with ok false. A program
// that sets JobControl calls it first thing in main and exits with the
// status when ok:
//
//	if code, ok := supervisor.Monitor(); ok {
//		os.Exit(code)
//	}
func Monitor() (code int, ok bool) {
	// The variable holds the PID of the runp that started the monitor: a
	// user's stray RUNP_MONITOR makes no monitor of anything else.
	v := os.Getenv(monitorEnv)
	if v == "" || v != strconv.Itoa(os.Getppid()) {
		return 0, false
	}
	return runMonitor(os.Args[1:]), true
}
