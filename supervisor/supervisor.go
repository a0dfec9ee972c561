// Package supervisor runs one command the way runp promises: under a
// pseudo-terminal (or with inherited stdio), with signals forwarded, zombies
// reaped, and the command's whole process tree cleaned up when it exits.
//
// The runp command is a thin layer over Run; Go programs can embed the same
// supervisor.
package supervisor

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"syscall"
	"time"

	"runp/reaper"
)

// Exit statuses that runp itself produces (see DESIGN.md).
const (
	ExitTimeout       = 124 // --timeout or --idle-timeout fired
	ExitRunpFailed    = 125 // runp failed before the command ran
	ExitNotExecutable = 126 // the command was found but could not be executed
	ExitNotFound      = 127 // the command was not found
)

// ErrUnsupported is returned where the platform lacks a part runp needs.
var ErrUnsupported = errors.New("not supported on this platform")

// DefaultGrace is how long descendants get between the stop signal and SIGKILL.
const DefaultGrace = 5 * time.Second

// Config says what to run and how.
type Config struct {
	// Argv is the command and its arguments; Argv[0] is looked up in PATH.
	Argv []string
	// Env is the command's environment; nil means runp's own.
	Env []string
	// Dir is the command's working directory; "" means runp's own.
	Dir string

	// Stdin, Stdout and Stderr default to runp's own. Stdin must be a file
	// (terminal detection and raw mode need a descriptor); the outputs may
	// be any writer, and are relayed through pipes when not files.
	Stdin  *os.File
	Stdout io.Writer
	Stderr io.Writer

	// NoPTY gives the command runp's stdio directly instead of a PTY.
	NoPTY bool
	// Group sends forwarded signals to the command's process group (the
	// PTY's foreground group) instead of to the command alone.
	Group bool
	// Subreaper makes this process a child subreaper on Linux and reaps
	// every child it is given. Leave it off when embedding in a program that
	// waits for children of its own: it would steal their exit statuses.
	Subreaper bool

	// OnExit says what happens to descendants still running when the
	// command exits: OnExitKill (the default), OnExitWait or OnExitLeave.
	OnExit string
	// StopSignal is sent to descendants at clean-up; 0 means SIGTERM.
	StopSignal syscall.Signal
	// Grace is the time between StopSignal and SIGKILL; 0 means DefaultGrace.
	Grace time.Duration
	// ReapInterval is the reaper's tick; 0 means DefaultReapInterval.
	ReapInterval time.Duration
	// StateDir is the registry's directory; "" means registry.DefaultDir().
	// If it cannot be used, the run goes on with tracking in memory and one
	// warning on Stderr.
	StateDir string

	// Logger receives the lifecycle (spawned, reaped, signalled); nil is quiet.
	Logger *slog.Logger
}

// What happens to descendants still running when the command exits.
const (
	OnExitKill  = "kill"  // stop signal, SIGKILL after the grace, reap; the default
	OnExitWait  = "wait"  // wait for them to exit (init-style); a signal to runp turns this into kill
	OnExitLeave = "leave" // leave them running and unregister them
)

// DefaultReapInterval is how often the reaper looks for new descendants
// between SIGCHLDs.
const DefaultReapInterval = time.Second

// Result is what a run ended with.
type Result struct {
	// ExitCode is runp's exit status: the command's code, 128+N if it died
	// of signal N, or one of the Exit* constants.
	ExitCode int
	// Signal is the signal that ended the command, or 0.
	Signal syscall.Signal
	// Started and Ended bound the run.
	Started, Ended time.Time
	// Killed lists the descendants that had to be signalled at clean-up.
	Killed []reaper.Killed
}

// StartError reports that the command could not be started; Code is 125, 126
// or 127.
type StartError struct {
	Code int
	Err  error
}

func (e *StartError) Error() string { return e.Err.Error() }
func (e *StartError) Unwrap() error { return e.Err }

func (c *Config) withDefaults() Config {
	d := *c
	if d.Stdin == nil {
		d.Stdin = os.Stdin
	}
	if d.Stdout == nil {
		d.Stdout = os.Stdout
	}
	if d.Stderr == nil {
		d.Stderr = os.Stderr
	}
	if d.Env == nil {
		d.Env = os.Environ()
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.OnExit == "" {
		d.OnExit = OnExitKill
	}
	if d.StopSignal == 0 {
		d.StopSignal = syscall.SIGTERM
	}
	if d.Grace <= 0 {
		d.Grace = DefaultGrace
	}
	if d.ReapInterval <= 0 {
		d.ReapInterval = DefaultReapInterval
	}
	return d
}

// check reports a Config that cannot run.
func (c *Config) check() error {
	if len(c.Argv) == 0 || c.Argv[0] == "" {
		return errors.New("no command given")
	}
	switch c.OnExit {
	case OnExitKill, OnExitWait, OnExitLeave:
	default:
		return fmt.Errorf("--on-exit %q: want kill, wait or leave", c.OnExit)
	}
	return nil
}
