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
	"path/filepath"
	"syscall"
	"time"

	"runp/reaper"
	"runp/registry"
)

// Exit statuses that runp itself produces (see docs/design.md).
const (
	ExitTimeout       = 124 // --timeout or --idle-timeout fired
	ExitRunpFailed    = 125 // runp failed before the command ran
	ExitNotExecutable = 126 // the command was found but could not be executed
	ExitNotFound      = 127 // the command was not found
)

// ErrUnsupported is returned where the platform lacks a part runp needs.
var ErrUnsupported = errors.New("not supported on this platform")

// DefaultGrace is how long descendants get between the stop signal and
// SIGKILL when Config.Grace is 0.
const DefaultGrace = 5 * time.Second

// NoGrace, as Config.Grace, sends SIGKILL right after the stop signal. Any
// negative Grace means the same.
const NoGrace time.Duration = -1

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
	// be any writer, and are relayed through pipes when not files. runp's
	// own messages go to Stderr through MessageWriter.
	Stdin  *os.File
	Stdout io.Writer
	Stderr io.Writer

	// NoPTY gives the command runp's stdio directly instead of a PTY.
	NoPTY bool
	// KeepPager leaves the pager variables (PAGER, GIT_PAGER, MANPAGER...)
	// as they are. Otherwise, in PTY mode with a Stdin that is not a
	// terminal, they are set to "cat": the command sees a terminal and
	// would start a pager, which would wait forever for keys that nobody
	// can type.
	KeepPager bool
	// Interactive makes the user at runp's terminal the command's user:
	// in PTY mode with a Stdin that is a terminal, that terminal is put in
	// raw mode for the whole attempt and every key is relayed into the
	// PTY (Ctrl-C included, which the PTY turns into the command's
	// SIGINT); with NoPTY, the command's process group gets the terminal's
	// foreground. Off, the calling program's terminal is left as it is:
	// Stdin is handed to the command as it is, as when it is not a
	// terminal. runp's CLI sets it.
	Interactive bool
	// JobControl lets a command that stops itself (vim's Ctrl-Z: kill(0,
	// SIGTSTP)) stop, and the user's shell take the terminal back, when
	// Stdin is a terminal in PTY mode. The command is then started by a
	// copy of this program, the monitor (see monitor_unix.go), which must
	// call Monitor first thing in main. runp's CLI sets it.
	JobControl bool
	// Group sends forwarded signals to the command's process group (the
	// PTY's foreground group) instead of to the command alone.
	Group bool
	// Subreaper makes this process a child subreaper on Linux and reaps
	// every child it is given (wait4 for any child). Leave it off when
	// embedding in a program that starts children of its own: it would
	// steal their exit statuses, and while Run runs, every child of the
	// process that Run did not start counts as an orphan of the command's
	// tree (unless it carries the cookie of another Run of this process),
	// and is stopped with it. Off, a child counts as the command's only if
	// it carries the session's cookie.
	Subreaper bool

	// OnExit says what happens to descendants still running when the
	// command exits: OnExitKill ("", the default), OnExitWait or
	// OnExitLeave.
	OnExit OnExit
	// StopSignal is sent to descendants at clean-up; 0 means SIGTERM.
	StopSignal syscall.Signal
	// Grace is the time between StopSignal and SIGKILL; 0 means
	// DefaultGrace, NoGrace (or any negative value) SIGKILL right after
	// StopSignal.
	Grace time.Duration
	// ReapInterval is the reaper's tick; 0 means DefaultReapInterval.
	ReapInterval time.Duration
	// Timeout ends an attempt that runs longer (exit status 124); 0 means none.
	Timeout time.Duration
	// IdleTimeout ends an attempt whose output stays quiet that long (exit
	// status 124); 0 means none. Output is what the command writes to the
	// PTY or to stdout and stderr.
	IdleTimeout time.Duration
	// Retries is how many more times a failed attempt (non-zero status, or a
	// limit that fired) is run again, on a clean slate; RetryDelay is the
	// pause before each retry. A command that cannot be started, a cancelled
	// context and a terminating signal to runp are never retried.
	Retries    int
	RetryDelay time.Duration

	// StateDir is the registry's directory; "" means registry.DefaultDir().
	// If it cannot be used, the run goes on with tracking in memory and one
	// warning on Stderr.
	StateDir string
	// RecoverDead cleans up, in the background once the command has run
	// for a while, the sessions in StateDir whose runp died without
	// cleaning up: their leftover processes, identity verified, get
	// StopSignal, then SIGKILL after Grace. Off, Run touches no session
	// but its own. runp's CLI sets it.
	RecoverDead bool

	// Logger receives the lifecycle (spawned, reaped, signalled); nil is quiet.
	Logger *slog.Logger

	warned *warnings // shared by the attempts of one Run
	// msgs is Stderr as runp's own messages see it (see MessageWriter),
	// and stderr the writer under it, which the command may get.
	msgs   *messages
	stderr io.Writer
	// stateDir is StateDir resolved to an absolute path ("" if unknown),
	// as the session ids name it (see reaper.NewSessionID).
	stateDir string
}

// OnExit says what happens to descendants still running when the command
// exits.
type OnExit string

// The values of OnExit.
const (
	OnExitKill  OnExit = "kill"  // stop signal, SIGKILL after the grace, reap; the default
	OnExitWait  OnExit = "wait"  // wait for them to exit (init-style); a signal to runp turns this into kill
	OnExitLeave OnExit = "leave" // leave them running and unregister them
)

// DefaultReapInterval is how often the reaper looks for new descendants
// between SIGCHLDs.
const DefaultReapInterval = time.Second

// Result is what a run ended with: the last attempt's status, and every
// attempt.
type Result struct {
	// ExitCode is runp's exit status: the last attempt's code, 128+N if the
	// command died of signal N, or one of the Exit* constants.
	ExitCode int
	// Signal is the signal that ended the last attempt's command, or 0.
	Signal syscall.Signal
	// Keyboard reports that Signal came from the user's keyboard, as far as
	// runp can tell: with runp's terminal raw, runp relayed that terminal's
	// interrupt (or quit) character into the PTY, which turned it into
	// SIGINT (SIGQUIT), the signal the command died of. Without runp, the
	// terminal would have sent it to runp's whole process group, the caller
	// included; a wrapper that dies of DeathSignal sends it there itself
	// (while that group is still the terminal's foreground), so that a
	// script around it stops as it would have. False for a signal sent by
	// kill, and when runp has no PTY (the terminal signalled the group
	// itself) or its terminal did not generate signals.
	Keyboard bool
	// Started and Ended bound the run.
	Started, Ended time.Time
	// Attempts lists every attempt in order.
	Attempts []Attempt
}

// DeathSignal is the signal that the caller, a wrapper, dies of to pass the
// command's end on, or 0: the signal that killed the last attempt's command
// when no limit ended it. Dying of it, rather than exiting 128+N, tells a
// shell that the command was interrupted: bash stops a loop only when its
// child died of SIGINT (coreutils timeout and sudo do the same).
func (r Result) DeathSignal() syscall.Signal {
	if r.Signal == 0 || len(r.Attempts) == 0 || r.Attempts[len(r.Attempts)-1].Limit != "" {
		return 0
	}
	return r.Signal
}

// Attempt is one run of the command.
type Attempt struct {
	ExitCode int
	// Signal is the signal that killed the command, or 0 (SignalName
	// names it).
	Signal         syscall.Signal
	Started, Ended time.Time
	// Seconds is the attempt's duration.
	Seconds float64
	// Limit is the limit that ended the attempt (LimitTimeout, LimitIdle,
	// LimitCancelled), or "".
	Limit Limit
	// Killed lists the processes that had to be signalled to end the tree.
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
	if d.Grace == 0 {
		d.Grace = DefaultGrace
	}
	if d.ReapInterval <= 0 {
		d.ReapInterval = DefaultReapInterval
	}
	d.warned = &warnings{}
	d.msgs = MessageWriter(d.Stderr).(*messages)
	d.Stderr, d.stderr = d.msgs, d.msgs.w
	d.stateDir = absStateDir(d.StateDir)
	return d
}

// absStateDir resolves dir as registry.Open does, without touching it: the
// session ids name the state dir before it is opened (lazily, if ever), so
// that "runp reap" on that dir can find the orphans of a session that was
// never written.
func absStateDir(dir string) string {
	if dir == "" {
		d, err := registry.DefaultDir()
		if err != nil {
			return ""
		}
		dir = d
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	return abs
}

// check reports a Config that cannot run.
func (c *Config) check() error {
	if len(c.Argv) == 0 || c.Argv[0] == "" {
		return errors.New("no command given")
	}
	switch c.OnExit {
	case OnExitKill, OnExitWait, OnExitLeave:
	default:
		return fmt.Errorf("OnExit %q: want %q, %q or %q", c.OnExit, OnExitKill, OnExitWait, OnExitLeave)
	}
	return nil
}
