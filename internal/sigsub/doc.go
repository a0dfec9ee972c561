// Package sigsub subscribes, in the background, the signals a runp
// forwards to its command. Each signal.Notify of a signal is a round trip
// to the Go runtime's signal thread (tens of microseconds each, about fifty
// signals), so the subscription is started as early as it can be and runs
// while the program does other work: from supervisor.Prepare, or earlier
// still, from the initialiser of package early, which only the runp command
// imports.
//
// The package imports nothing but the standard library's os, os/signal and
// syscall, so that its initialisation, and early's, come right after
// os/signal's, before the other packages of the program.
package sigsub

// MonitorEnv marks a process that a runp started as its job-control
// monitor (supervisor.Monitor), which subscribes every signal itself.
const MonitorEnv = "RUNP_MONITOR"
